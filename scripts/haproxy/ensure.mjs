#!/usr/bin/env node
// Makes sure HAProxy and nftables are on this machine (Debian's haproxy and nftables packages where missing): the
// lab test checks the lab's configuration with `haproxy -c`, `npm run lab` runs HAProxy in front of the nodes, and
// the partition drill cuts a node off with nftables rules.
import { execSync, spawnSync } from 'node:child_process';

const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin} || test -x /usr/sbin/${bin}`], { stdio: 'ignore' }).status === 0;
const missing = ['haproxy', 'nftables'].filter((pkg) => !has(pkg === 'nftables' ? 'nft' : pkg));

if (missing.length === 0) {
  console.log('haproxy, nftables: present');
} else if (process.getuid?.() === 0) {
  console.log(`installing Debian packages ${missing.join(' ')} ...`);
  execSync(`apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(' ')} >/dev/null`, { stdio: 'inherit' });
} else {
  console.warn(`${missing.join(', ')} missing and not root: the lab test and the drills will skip what needs them`);
}
