/** "512 B", "71 KiB", "30 MiB", "1.5 GiB": binary units, at most one decimal. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  const text =
    value >= 10 ? Math.round(value).toString() : (Math.round(value * 10) / 10).toString();
  return `${text} ${units[i]}`;
}

/** "40 ms", "2.1 s", "3 min 5 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) {
    const s = ms / 1000;
    return `${s >= 10 ? Math.round(s) : Math.round(s * 10) / 10} s`;
  }
  const total = Math.round(ms / 1000);
  return `${Math.floor(total / 60)} min ${total % 60} s`;
}
