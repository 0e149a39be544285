// BRINGUP_TIMINGS=1: where a command's time went, as one JSON line on stderr at the end
// (`bringup: timings {"start-up":{"cpu":..,"wall":..},...}`, milliseconds of CPU and wall
// time per phase; start-up counts from process start). npm run bench reads it. Silent
// and free when the variable is not set.

type Phase = { cpu: number; wall: number };

export class Timings {
  private readonly on = Boolean(process.env['BRINGUP_TIMINGS']);
  private readonly phases: Record<string, Phase> = {};
  private cpu = 0;
  private wall = 0;

  /** the phase that just ended */
  mark(phase: string): void {
    if (!this.on) return;
    const u = process.cpuUsage();
    const cpu = (u.user + u.system) / 1000;
    const wall = performance.now();
    this.phases[phase] = { cpu: cpu - this.cpu, wall: wall - this.wall };
    this.cpu = cpu;
    this.wall = wall;
  }

  print(): void {
    if (this.on) process.stderr.write(`bringup: timings ${JSON.stringify(this.phases)}\n`);
  }
}
