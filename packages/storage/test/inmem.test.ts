import { InmemBackend, InmemStore } from '@strongroom/storage';
import { exerciseBackend, exerciseLock } from '@strongroom/storage/testing';

exerciseBackend('inmem', async () => new InmemBackend(), { maxValueBytes: 1024 * 1024, enforcesValueLimit: false });

exerciseLock('inmem', {
  async makePair() {
    const store = new InmemStore();
    return [new InmemBackend(store), new InmemBackend(store)];
  },
  async killHolder(backend, key) {
    (backend as InmemBackend).store.breakLock(key);
  },
});
