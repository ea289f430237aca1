#!/usr/bin/env node
// Makes sure HAProxy is on this machine (Debian's haproxy package where missing): the lab test checks the lab's
// configuration with `haproxy -c`, and `npm run lab` runs it in front of the nodes.
import { execSync, spawnSync } from 'node:child_process';

const has = () => spawnSync('sh', ['-c', 'command -v haproxy || test -x /usr/sbin/haproxy'], { stdio: 'ignore' }).status === 0;

if (has()) {
  console.log('haproxy: present');
} else if (process.getuid?.() === 0) {
  console.log('haproxy: installing Debian package haproxy ...');
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null', { stdio: 'inherit' });
} else {
  console.warn('haproxy: missing and not root; the lab test will skip its HAProxy checks');
}
