import { run } from './scenarios/health.mjs';
await run({ quick: true });
await run({ quick: true });
