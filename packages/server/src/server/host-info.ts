import { statfs } from 'node:fs/promises';
import { arch, cpus, freemem, hostname, platform, release, totalmem, uptime, version } from 'node:os';

/**
 * Vault's `sys/host-info` (gopsutil's shapes, with its field names): cpu, cpu_times, disk, host, memory,
 * timestamp. What node's os module cannot tell is left at its zero value.
 */
export async function hostInfo(): Promise<Record<string, unknown>> {
  const list = cpus();
  const cpu = list.map((c, i) => ({
    cpu: i,
    vendorId: '',
    family: '',
    model: '',
    stepping: 0,
    physicalId: '',
    coreId: String(i),
    cores: 1,
    modelName: c.model,
    mhz: c.speed,
    cacheSize: 0,
    flags: [],
    microcode: '',
  }));
  // os reports milliseconds; gopsutil reports seconds.
  const cpuTimes = list.map((c, i) => ({
    cpu: `cpu${i}`,
    user: c.times.user / 1000,
    system: c.times.sys / 1000,
    idle: c.times.idle / 1000,
    nice: c.times.nice / 1000,
    iowait: 0,
    irq: c.times.irq / 1000,
    softirq: 0,
    steal: 0,
    guest: 0,
    guestNice: 0,
  }));
  const disk: Record<string, unknown>[] = [];
  try {
    const s = await statfs('/');
    const total = s.blocks * s.bsize;
    const free = s.bavail * s.bsize;
    const used = total - s.bfree * s.bsize;
    const inodesUsed = s.files - s.ffree;
    disk.push({
      path: '/',
      fstype: '',
      total,
      free,
      used,
      usedPercent: total > 0 ? (used / (used + free)) * 100 : 0,
      inodesTotal: s.files,
      inodesUsed,
      inodesFree: s.ffree,
      inodesUsedPercent: s.files > 0 ? (inodesUsed / s.files) * 100 : 0,
    });
  } catch {
    // No file system to report (a sandbox): the list stays empty, as Vault's does on error.
  }
  const up = Math.floor(uptime());
  const total = totalmem();
  const free = freemem();
  return {
    cpu,
    cpu_times: cpuTimes,
    disk,
    host: {
      hostname: hostname(),
      uptime: up,
      bootTime: Math.floor(Date.now() / 1000) - up,
      procs: 0,
      os: platform(),
      platform: platform(),
      platformFamily: '',
      platformVersion: version(),
      kernelVersion: release(),
      kernelArch: arch(),
      virtualizationSystem: '',
      virtualizationRole: '',
      hostId: '',
    },
    memory: { total, available: free, used: total - free, usedPercent: total > 0 ? ((total - free) / total) * 100 : 0, free },
    timestamp: new Date().toISOString(),
  };
}
