/** Vietnam time (UTC+7, no daylight saving since 1975): conversions the digest needs. */

import { formatDate } from '../copy/messages.js';

const OFFSET_MS = 7 * 3_600_000;

/** The Vietnam calendar day (YYYY-MM-DD) and hour (0–23) of an instant. */
export function vnClock(at: Date): { day: string; hour: number } {
  const shifted = new Date(at.getTime() + OFFSET_MS);
  return { day: shifted.toISOString().slice(0, 10), hour: shifted.getUTCHours() };
}

/** dd/mm/yyyy of an instant in Vietnam. */
export function vnDateLabel(at: Date): string {
  return formatDate(at.toISOString())!;
}

/**
 * Milliseconds since the epoch of an ISO date or date-time; one without an offset is Vietnam time.
 * NaN when unreadable.
 */
export function parseVnTime(iso: string): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return Date.parse(`${iso}T00:00:00+07:00`);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(iso)) return Date.parse(`${iso}+07:00`);
  return Date.parse(iso);
}

/** The instant a Vietnam hour slot starts: `day` (YYYY-MM-DD) at `hour`:00. */
export function vnSlotStart(day: string, hour: number): Date {
  return new Date(Date.parse(`${day}T${String(hour).padStart(2, '0')}:00:00+07:00`));
}
