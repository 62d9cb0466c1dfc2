import type { Role } from '@lanctl/model';
import { useState } from 'react';
import { onLinkClick } from '../router.ts';
import { useUsermap } from './use-usermap.ts';
import { type MapRoom, type Seat, seatPlace, seatText } from './usermap.ts';
import './live.css';

/** Live → Room map (roots and organizers): who sits where, free, faulty or unreachable seats. */
export function RoomMapView({ role }: { role: Role }) {
  const { model, status, error } = useUsermap();
  const [room, setRoom] = useState('');
  const rooms = model?.rooms.filter((r) => !room || r.name === room) ?? [];
  return (
    <section aria-labelledby="map-title" className="room-map">
      <div className="title-row">
        <h1 id="map-title">Room map</h1>
        <StreamBadge status={status} />
        {model && (
          <label className="inline">
            Room{' '}
            <select value={room} onChange={(e) => setRoom(e.target.value)}>
              <option value="">all</option>
              {model.rooms.map((r) => (
                <option key={r.name} value={r.name}>
                  {r.name}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {status === 'lost' && (
        <p className="error" role="alert">
          Live updates lost: the map may be stale. Reconnecting…
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!model && !error && <p>Loading the room map…</p>}
      {model && !model.ready && (
        <p className="muted">The map is still receiving its tables; seats may be missing.</p>
      )}
      {model && (
        <p className="muted" aria-live="polite">
          {model.totals.taken} taken · {model.totals.free} free · {model.totals.faulty} faulty ·{' '}
          {model.totals.unreachable} unreachable
        </p>
      )}
      {rooms.map((r) => (
        <RoomBlock key={r.name} room={r} linked={role === 'root'} />
      ))}
    </section>
  );
}

function StreamBadge({ status }: { status: string }) {
  const text = { connecting: 'connecting…', live: 'live', lost: 'stream lost' }[status];
  return <span className={`badge badge-${status}`}>{text}</span>;
}

function RoomBlock({ room, linked }: { room: MapRoom; linked: boolean }) {
  const id = `room-${room.name}`;
  return (
    <section className="map-room" aria-labelledby={id}>
      <h2 id={id}>
        {room.name} {room.description && <span className="muted">{room.description}</span>}
      </h2>
      {room.seats.length === 0 ? (
        <p className="muted">No machine.</p>
      ) : (
        <ul
          className="seats"
          style={
            room.columns > 0
              ? { gridTemplateColumns: `repeat(${room.columns}, minmax(9rem, 1fr))` }
              : undefined
          }
        >
          {room.seats.map((s) => (
            <SeatCard key={s.hostname} seat={s} columns={room.columns} linked={linked} />
          ))}
        </ul>
      )}
    </section>
  );
}

function SeatCard({ seat, columns, linked }: { seat: Seat; columns: number; linked: boolean }) {
  const group = seat.group ? ` group-${seat.group}` : '';
  return (
    <li
      className={`seat seat-${seat.state}${group}`}
      style={seatPlace(seat, columns)}
      data-host={seat.hostname}
      data-state={seat.state}
    >
      <span className="seat-host mono">
        {linked ? (
          <a href={`/machines/${seat.hostname}`} onClick={onLinkClick}>
            {seat.hostname}
          </a>
        ) : (
          seat.hostname
        )}
      </span>
      <span className="seat-what">{seatText(seat)}</span>
    </li>
  );
}
