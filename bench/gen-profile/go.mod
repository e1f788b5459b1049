module example.com/heaplens/gen-profile

go 1.19
