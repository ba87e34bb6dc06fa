import { rmSync } from 'node:fs';

/** One thing to undo: stop a server, remove a folder. */
interface Task {
  readonly name: string;
  readonly run: () => Promise<void>;
}

const TASK_TIMEOUT_MS = 45_000;

/**
 * Everything a benchmark run started, undone in reverse order however the run ends (success, failure,
 * Ctrl-C). Each undo is bounded in time. For an exit that cannot wait (a second Ctrl-C, a crash), the
 * child processes and folders registered with {@link killOnExit} / {@link removeOnExit} are killed and
 * removed synchronously when this process exits.
 */
export class Cleanup {
  readonly #tasks: Task[] = [];
  readonly #pids = new Map<number, NodeJS.Signals>();
  readonly #folders = new Set<string>();
  readonly #onExit = (): void => this.emergency();
  readonly #log: (line: string) => void;

  constructor(log: (line: string) => void) {
    this.#log = log;
    process.on('exit', this.#onExit);
  }

  /** Registers an undo; returns a function that runs it now (once) and unregisters it. */
  add(name: string, run: () => Promise<void>): () => Promise<void> {
    let done: Promise<void> | undefined;
    const task: Task = { name, run: () => (done ??= run()) };
    this.#tasks.push(task);
    return async () => {
      const i = this.#tasks.indexOf(task);
      if (i >= 0) this.#tasks.splice(i, 1);
      await task.run();
    };
  }

  /** A process killed with `signal` if this process exits before {@link forgetPid}. */
  killOnExit(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
    if (pid !== undefined) this.#pids.set(pid, signal);
  }

  forgetPid(pid: number | undefined): void {
    if (pid !== undefined) this.#pids.delete(pid);
  }

  /** A folder removed if this process exits before {@link runAll} removed it. */
  removeOnExit(folder: string): void {
    this.#folders.add(folder);
  }

  /** Runs every undo, newest first; failures are logged, not thrown. */
  async runAll(): Promise<void> {
    while (this.#tasks.length > 0) {
      const task = this.#tasks.pop() as Task;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          task.run(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`timed out after ${TASK_TIMEOUT_MS} ms`)),
              TASK_TIMEOUT_MS,
            );
          }),
        ]);
      } catch (error) {
        this.#log(`cleanup: ${task.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        clearTimeout(timer);
      }
    }
    for (const folder of this.#folders) rmSync(folder, { recursive: true, force: true });
    this.#folders.clear();
    this.#pids.clear();
    process.off('exit', this.#onExit);
  }

  /** Synchronous last resort: kills the registered processes and removes the registered folders. */
  emergency(): void {
    for (const [pid, signal] of this.#pids) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
    this.#pids.clear();
    for (const folder of this.#folders) {
      try {
        rmSync(folder, { recursive: true, force: true });
      } catch {
        // best effort
      }
    }
    this.#folders.clear();
  }
}
