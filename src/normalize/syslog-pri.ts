// The syslog PRI part `<N>`: facility (kept as a name in metadata.facility) and severity (the level).

/** RFC 5424 facility names, by code 0..23. */
export const syslogFacilities = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp',
  'ntp', 'security', 'console', 'solaris-cron', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
] as const;

/** RFC 5424 severity keywords, by code 0..7 (the level keeps less: notice is INFO, emerg/alert/crit are FATAL). */
export const syslogSeverities = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

/** Reads `<0>`..`<191>` at the start of the line: the PRI value and the index after `>`, or null. */
export function readPri(line: string): { pri: number; end: number } | null {
  if (line.charCodeAt(0) !== 60) return null; // <
  let pri = 0;
  let i = 1;
  for (; i <= 4; i++) {
    const c = line.charCodeAt(i);
    if (c === 62) break; // >
    if (c < 48 || c > 57 || i === 4) return null;
    pri = pri * 10 + (c - 48);
  }
  if (i === 1 || pri > 191) return null;
  return { pri, end: i + 1 };
}

export function facilityName(pri: number): string {
  return syslogFacilities[pri >> 3] ?? String(pri >> 3);
}

export function severityName(pri: number): string {
  return syslogSeverities[pri & 7] ?? String(pri & 7);
}

/** A pid as a number when it is plain digits, else the string as written. */
export function pidValue(s: string): number | string {
  return s.length > 0 && s.length <= 15 && /^\d+$/.test(s) ? Number(s) : s;
}
