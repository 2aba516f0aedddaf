// A child process that GETs a URL every intervalMs (open loop: a new request every interval whether or
// not the previous ones have answered, so a blocked server shows as long latencies, not as fewer samples)
// until the parent sends 'stop'; then it sends back every latency (ms) and the status codes.
//   node health-probe.mjs <url> <intervalMs>
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';

const [url, intervalArg] = process.argv.slice(2);
const interval = Number(intervalArg ?? 10);
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
const latencies = [];
const statuses = {};
let errors = 0;
let pending = 0;
let stopping = false;

const finish = () => {
  if (!stopping || pending > 0) return;
  agent.destroy();
  process.send({ latencies, statuses, errors }, () => process.disconnect());
};

const probe = () => {
  const start = performance.now();
  pending++;
  const done = (status) => {
    latencies.push(performance.now() - start);
    statuses[status] = (statuses[status] ?? 0) + 1;
    pending--;
    finish();
  };
  http
    .get(url, { agent }, (response) => {
      response.resume();
      response.on('end', () => done(response.statusCode));
    })
    .on('error', () => {
      errors++;
      done('error');
    });
};

const timer = setInterval(probe, interval);
process.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  stopping = true;
  finish();
});
process.send('ready');
