interface Waiting<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * Does the work of concurrent callers together, one round trip at a time. An item added while
 * nothing is under way goes at once; items added meanwhile wait and go together in the next
 * round, which therefore starts after each of them was added. Every caller's promise settles
 * with its own round. Under load many callers share one statement and one commit.
 */
export class Batcher<T, R> {
  private queue: Array<Waiting<T, R>> = [];
  private running = false;

  constructor(
    private readonly run: (items: T[]) => Promise<R>,
    /** Items per round at most, counted by `weight`. */
    private readonly max = Infinity,
    private readonly weight: (item: T) => number = () => 1,
  ) {}

  add(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0) {
      const round = this.take();
      try {
        const result = await this.run(round.map((w) => w.item));
        for (const w of round) w.resolve(result);
      } catch (error) {
        for (const w of round) w.reject(error);
      }
    }
    this.running = false;
  }

  private take(): Array<Waiting<T, R>> {
    let total = 0;
    let n = 0;
    while (n < this.queue.length && (n === 0 || total + this.weight(this.queue[n]!.item) <= this.max)) total += this.weight(this.queue[n++]!.item);
    return this.queue.splice(0, n);
  }
}
