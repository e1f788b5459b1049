// Worker thread for `top`'s sample passes (see parallel-passes.ts): runs the
// pure kernels over the sample range it is sent and posts the partial sums back.
import { parentPort } from 'node:worker_threads';
import { sumEdges, sumNodes } from '../pprof/aggregate.js';
import type { PassJob } from './parallel-passes.js';

parentPort!.on('message', (job: PassJob) => {
  if (job.kind === 'nodes') {
    const sums = sumNodes(job.scan, job.nNodes, job.from, job.to);
    parentPort!.postMessage({ id: job.id, sums }, [sums.flat.buffer as ArrayBuffer, sums.cum.buffer as ArrayBuffer]);
  } else {
    const edges = sumEdges(job.scan, job.plan, job.from, job.to);
    const transfer = edges.weight && edges.state ? [edges.weight.buffer as ArrayBuffer, edges.state.buffer as ArrayBuffer] : [];
    parentPort!.postMessage({ id: job.id, edges }, transfer);
  }
});
