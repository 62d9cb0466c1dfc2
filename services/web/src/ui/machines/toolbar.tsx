import type { MachineFilter } from './table.ts';

/** Search as you type, and the room, type and state filters. */
export function Toolbar(props: {
  filter: MachineFilter;
  onChange: (patch: Partial<MachineFilter>) => void;
  rooms: string[];
  mtypes: string[];
  count: string;
}) {
  const { filter, onChange } = props;
  return (
    <search className="toolbar">
      <label>
        Search
        <input
          type="search"
          placeholder="hostname, IP or MAC"
          value={filter.query}
          onChange={(e) => onChange({ query: e.target.value })}
        />
      </label>
      <Choice
        label="Room"
        value={filter.room}
        options={props.rooms}
        onChange={(room) => onChange({ room })}
      />
      <Choice
        label="Type"
        value={filter.mtype}
        options={props.mtypes}
        onChange={(mtype) => onChange({ mtype })}
      />
      <Choice
        label="State"
        value={filter.state}
        options={['ok', 'faulty']}
        onChange={(state) => onChange({ state: state as MachineFilter['state'] })}
      />
      <span className="count" aria-live="polite">
        {props.count}
      </span>
    </search>
  );
}

function Choice(props: {
  label: string;
  value: string;
  options: string[];
  onChange: (value: string) => void;
}) {
  return (
    <label>
      {props.label}
      <select value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">all</option>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}
