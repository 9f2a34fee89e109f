// A progress bar for long work in the terminal (cli-progress); quiet when stdout is not a terminal,
// where it prints a line every tenth of the way instead, so logs stay readable.
import * as cliProgress from "cli-progress";

export interface Progress {
  /** Moves the bar to `done` of `total`, with named values shown after it (e.g. { loss: 2.31 }). */
  update(done: number, values?: Record<string, number>): void;
  stop(): void;
}

export function startProgress(label: string, total: number): Progress {
  const format = (values: Record<string, number>) =>
    Object.entries(values).map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(4)}`).join("  ");
  if (process.stdout.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} {percentage}% eta {eta_formatted}  {values}`, hideCursor: false },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { values: "" });
    return {
      update: (done, values = {}) => bar.update(done, { values: format(values) }),
      stop: () => bar.stop(),
    };
  }
  let nextTenth = 1;
  return {
    update(done, values = {}) {
      if (done < (nextTenth * total) / 10) return;
      console.log(`${label}: ${done}/${total}  ${format(values)}`);
      nextTenth = Math.floor((done * 10) / total) + 1;
    },
    stop() {},
  };
}
