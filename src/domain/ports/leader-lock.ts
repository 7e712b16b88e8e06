/** Decides which of several instances runs the dispatcher. */
export interface LeaderLock {
  /** True while this process holds the lock; tries to take it when free. */
  acquire(): Promise<boolean>;
  release(): Promise<void>;
}
