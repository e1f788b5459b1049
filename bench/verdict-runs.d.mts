export function packRun(dir: string, file: string): Promise<void>;
export function unpackRun(file: string, dir: string): Promise<void>;
export function unpackRuns(from: string, to: string): Promise<string[]>;
