import { systemClock, type Clock } from '../util/clock.js';

/**
 * A long command's progress on stderr: a bar redrawn in place on a terminal,
 * otherwise (a log, a pipe) one line at each tenth.
 */
export function createProgress(out: NodeJS.WriteStream, name: string, clock: Clock = systemClock) {
  const tty = out.isTTY === true;
  let drawn = false;
  let lastDraw = 0;
  let lastTenth = -1;
  return {
    update(fraction: number, label: string) {
      const f = Math.min(1, Math.max(0, fraction));
      const percent = Math.floor(f * 100);
      if (tty) {
        const now = clock.now().getTime();
        if (now - lastDraw < 100 && f < 1) return;
        lastDraw = now;
        const width = 30;
        const bar = '#'.repeat(Math.round(f * width)).padEnd(width, '-');
        out.write(`\r\x1b[2K${name}: [${bar}] ${String(percent).padStart(3)}% ${label}`);
        drawn = true;
        return;
      }
      const tenth = Math.floor(percent / 10);
      if (tenth <= lastTenth) return;
      lastTenth = tenth;
      out.write(`${name}: ${percent}% ${label}\n`);
    },
    /** Ends the bar's line. */
    done() {
      if (drawn) out.write('\n');
      drawn = false;
    },
  };
}
