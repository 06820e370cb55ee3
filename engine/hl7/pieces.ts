/** The n-th (1-based) piece of `s` split at `sep`, without allocating the other pieces; '' when absent. */
export function piece(s: string, sep: string, n: number): string {
  let start = 0;
  for (let i = 1; i < n; i++) {
    const j = s.indexOf(sep, start);
    if (j === -1) return '';
    start = j + 1;
  }
  const end = s.indexOf(sep, start);
  if (end === -1) return start === 0 ? s : s.slice(start);
  return s.slice(start, end);
}

/** `s` with its n-th piece replaced by `update(old)`, padding with empty pieces when it has fewer. */
export function replacePiece(s: string, sep: string, n: number, update: (old: string) => string): string {
  const parts = s.split(sep);
  while (parts.length < n) parts.push('');
  parts[n - 1] = update(parts[n - 1] ?? '');
  return parts.join(sep);
}
