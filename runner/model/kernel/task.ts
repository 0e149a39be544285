// The task a kernel call runs in: what `Comm:`/`PID:` print and what
// "BUG: Bad page state in process %s" names.

export interface Task {
  comm: string;
  pid: number;
  cpu: number;
  /** printed as "Workqueue: <wq> <fn>" in traces of work items */
  workqueue?: string;
}

export const INIT_TASK: Task = { comm: 'swapper/0', pid: 1, cpu: 0 };
export const SHELL_TASK: Task = { comm: 'sh', pid: 2691, cpu: 0 };
export const MODPROBE_TASK: Task = { comm: 'modprobe', pid: 2702, cpu: 0 };

/** deferred_probe_work_func runs on system_wq before v6.x-era kernels, system_unbound_wq after */
export function deferredWorker(unbound: boolean, over: Partial<Task> = {}): Task {
  const base = unbound
    ? { comm: 'kworker/u8:1', pid: 13, cpu: 1, workqueue: 'events_unbound deferred_probe_work_func' }
    : { comm: 'kworker/1:1', pid: 51, cpu: 1, workqueue: 'events deferred_probe_work_func' };
  return { ...base, ...over };
}
