/** The room map's model (services/sso/src/usermap/model.ts), as `/usermap/state.json` and `/usermap/events` send it. */

export type SeatState = 'taken' | 'free' | 'faulty' | 'unreachable';

export interface Seat {
  hostname: string;
  state: SeatState;
  login?: string;
  group?: string;
  faulty_reason?: string;
  row?: number;
  column?: number;
}

export interface MapRoom {
  name: string;
  description: string;
  columns: number;
  seats: Seat[];
}

export interface UsermapModel {
  ready: boolean;
  rooms: MapRoom[];
  totals: Record<SeatState, number>;
}

/** A parsed model, or null for anything that is not one (a stream frame is never trusted). */
export function parseModel(text: string): UsermapModel | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  const m = data as Partial<UsermapModel> | null;
  if (!m || typeof m !== 'object' || !Array.isArray(m.rooms) || typeof m.totals !== 'object')
    return null;
  if (!m.rooms.every((r) => r && typeof r.name === 'string' && Array.isArray(r.seats))) return null;
  return { ready: m.ready !== false, rooms: m.rooms, totals: m.totals as UsermapModel['totals'] };
}

/** What a seat says in words: the login, or its state (with mdb's reason when faulty). */
export function seatText(seat: Seat): string {
  if (seat.state === 'taken') return seat.login ?? 'taken';
  if (seat.state === 'faulty')
    return seat.faulty_reason ? `faulty: ${seat.faulty_reason}` : 'faulty';
  return seat.state;
}

/** Grid placement: seats with a place on the room's grid, the others flowing after them. */
export function seatPlace(seat: Seat, columns: number): { gridRow?: string; gridColumn?: string } {
  if (columns <= 0 || seat.row === undefined || seat.column === undefined) return {};
  return { gridRow: String(seat.row), gridColumn: String(seat.column) };
}

export type StreamStatus = 'connecting' | 'live' | 'lost';
