// Runs one compiled test file with uvu and exits when it is done, even if a test left a
// handle open, so that the run ends and the summary is printed.
import { resolve } from 'node:path';
import { run } from 'uvu/run';

const file = resolve(process.argv[2]);
await run([{ name: process.argv[2], file }], { bail: false });
process.exit(process.exitCode ?? 0);
