module example.com/heaplens/operator-sim

go 1.19
