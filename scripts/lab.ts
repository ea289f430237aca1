// `npm run lab`: a loopback failover lab. A real 3-server Consul on 127.0.0.1/.2/.3, three Strongroom nodes,
// initialized (3 shares, threshold 2) and unsealed, with `secret/` mounted as kv v2, and HAProxy in front with the
// docker-compose lab's configuration (deploy/haproxy.cfg), following sys/health. Prints the addresses, the shares
// and the root token, then waits for Ctrl-C (or SIGTERM) and stops everything. Drill by hand, for example:
//   kill -9 <pid of the active>   kill -STOP <pid>   curl -X PUT -H "X-Vault-Token: $T" $ADDR/v1/sys/step-down
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { consulVersion, startConsulCluster } from '@strongroom/storage/testing';
import { startHaproxy } from '../test/helpers/haproxy.js';
import { initAndUnseal, startNodes, stopNodes, waitForActive } from '../test/helpers/strongroom-cluster.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
execFileSync(process.execPath, [path.join(root, 'scripts', 'consul', 'ensure.mjs')], { stdio: 'inherit' });
execFileSync(process.execPath, [path.join(root, 'scripts', 'haproxy', 'ensure.mjs')], { stdio: 'inherit' });
const consul = await startConsulCluster(3);
const nodes = await startNodes(consul, 3);
const { keys, rootToken } = await initAndUnseal(nodes);
const active = await waitForActive(nodes);
await nodes[active]!.http('POST', '/v1/sys/mounts/secret', { type: 'kv', options: { version: '2' } }, { 'x-vault-token': rootToken });
const lb = await startHaproxy(nodes.map((n) => n.apiAddr));

console.log(`\nStrongroom failover lab (${consulVersion()})`);
console.log(`Consul HTTP: ${consul.addresses.map((a) => `http://${a}`).join('  ')}`);
for (const n of nodes) {
  console.log(`node ${n.index}: ${n.apiAddr}  pid ${n.process.pid}${n.index === active ? '  (active)' : ''}`);
}
console.log(`HAProxy: ${lb.activeUrl} (the active node)  ${lb.readsUrl} (any unsealed node)  ${lb.statsUrl}`);
console.log(`\nUnseal keys (threshold 2):\n${keys.map((k) => `  ${k}`).join('\n')}`);
console.log(`Root token: ${rootToken}\n`);
console.log(`export VAULT_ADDR=${lb.activeUrl} VAULT_TOKEN=${rootToken}`);
console.log('Ctrl-C stops the lab.');

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping the lab...');
  await lb.stop();
  await stopNodes(nodes);
  await consul.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
setInterval(() => undefined, 1 << 30);
