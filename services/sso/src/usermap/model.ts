import { type Group, type Machine, type Room, seatOfHostname } from '@lanctl/model';

export type SeatState = 'taken' | 'free' | 'faulty' | 'unreachable';

export interface UsermapSeat {
  hostname: string;
  /** taken beats faulty, which beats unreachable (a session's heartbeats prove the machine up). */
  state: SeatState;
  /** Who is logged in (taken). */
  login?: string;
  /** The login's udb group; absent for a login udb does not know. */
  group?: Group;
  /** mdb's is_faulty_details when the machine is marked faulty (also on a taken seat). */
  faulty_reason?: string;
  /** Grid place (1-based) when the room's hostname pattern names this seat. */
  row?: number;
  column?: number;
}

export interface UsermapRoom {
  name: string;
  description: string;
  /** Grid width; 0 when no seat has a grid place (seats then flow in order). */
  columns: number;
  /** Grid seats by row then column, then the others in hostname order. */
  seats: UsermapSeat[];
}

export interface UsermapModel {
  rooms: UsermapRoom[];
  totals: Record<SeatState, number>;
}

/** The block for machines whose room mdb does not list. */
export const OTHER_ROOM = 'other';

const byName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/**
 * The usermap: every machine as a seat of its room, rooms in name order, then a block "other"
 * for machines in no known room. Pure: the caller passes the tables as they are now.
 */
export function buildUsermap(
  machines: readonly Machine[],
  rooms: readonly Room[],
  sessions: ReadonlyMap<string, string>,
  groupOf: (login: string) => Group | undefined,
  unreachable: ReadonlySet<string>,
): UsermapModel {
  const known = new Map(rooms.map((r) => [r.name, r]));
  const byRoom = new Map<string, Machine[]>();
  for (const m of machines) {
    const key = known.has(m.room) ? m.room : OTHER_ROOM;
    const list = byRoom.get(key);
    if (list) list.push(m);
    else byRoom.set(key, [m]);
  }
  const blocks: Room[] = [...rooms].sort((a, b) => byName(a.name, b.name));
  if (!known.has(OTHER_ROOM) && byRoom.has(OTHER_ROOM)) {
    blocks.push({
      name: OTHER_ROOM,
      description: 'machines in no known room',
      hostname_pattern: null,
      seats_per_row: null,
    });
  }
  const totals: Record<SeatState, number> = { taken: 0, free: 0, faulty: 0, unreachable: 0 };
  const out = blocks.map((room) => {
    const seats = (byRoom.get(room.name) ?? []).map((m) => {
      const seat = seatOf(m, sessions, groupOf, unreachable);
      totals[seat.state]++;
      return seat;
    });
    return layRoom(room, seats);
  });
  return { rooms: out, totals };
}

function seatOf(
  m: Machine,
  sessions: ReadonlyMap<string, string>,
  groupOf: (login: string) => Group | undefined,
  unreachable: ReadonlySet<string>,
): UsermapSeat {
  const login = sessions.get(m.hostname);
  const seat: UsermapSeat = { hostname: m.hostname, state: 'free' };
  if (login !== undefined) {
    seat.state = 'taken';
    seat.login = login;
    const group = groupOf(login);
    if (group !== undefined) seat.group = group;
  } else if (m.is_faulty) {
    seat.state = 'faulty';
  } else if (unreachable.has(m.hostname)) {
    seat.state = 'unreachable';
  }
  if (m.is_faulty) seat.faulty_reason = m.is_faulty_details;
  return seat;
}

/**
 * Grid places from the room's pattern: row and seat when it has `seats_per_row`, else (`{n}`
 * only) an ordered flow by seat number; seats the pattern does not name follow in name order.
 */
function layRoom(room: Room, seats: UsermapSeat[]): UsermapRoom {
  const pattern = room.hostname_pattern;
  const order = new Map<UsermapSeat, number>();
  if (pattern !== null) {
    for (const seat of seats) {
      const at = seatOfHostname(pattern, room.seats_per_row, seat.hostname);
      if (!at) continue;
      order.set(seat, at.n);
      if (room.seats_per_row !== null) {
        seat.row = at.row;
        seat.column = at.seat;
      }
    }
  }
  seats.sort((a, b) => {
    const na = order.get(a) ?? Number.POSITIVE_INFINITY;
    const nb = order.get(b) ?? Number.POSITIVE_INFINITY;
    return na !== nb ? na - nb : byName(a.hostname, b.hostname);
  });
  const gridded = seats.some((s) => s.column !== undefined);
  return {
    name: room.name,
    description: room.description,
    columns: gridded ? (room.seats_per_row ?? 0) : 0,
    seats,
  };
}
