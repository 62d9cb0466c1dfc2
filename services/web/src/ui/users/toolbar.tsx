import { GROUPS, type Group } from '@lanctl/model';
import type { UserFilter } from './table.ts';

/** Search as you type, the group filter, and what to do with the selection. */
export function Toolbar(props: {
  filter: UserFilter;
  onChange: (patch: Partial<UserFilter>) => void;
  count: string;
  selected: number;
  onSheets: () => void;
  onClearSelection: () => void;
}) {
  const { filter, onChange, selected } = props;
  return (
    <search className="toolbar">
      <label>
        Search
        <input
          type="search"
          placeholder="login or name"
          value={filter.query}
          onChange={(e) => onChange({ query: e.target.value })}
        />
      </label>
      <label>
        Group
        <select
          value={filter.group}
          onChange={(e) => onChange({ group: e.target.value as Group | '' })}
        >
          <option value="">all</option>
          {GROUPS.map((g) => (
            <option key={g} value={g}>
              {g}
            </option>
          ))}
        </select>
      </label>
      <button type="button" onClick={props.onSheets} disabled={selected === 0}>
        Print sheets for {selected} selected…
      </button>
      {selected > 0 && (
        <button type="button" onClick={props.onClearSelection}>
          Clear selection
        </button>
      )}
      <span className="count" aria-live="polite">
        {props.count}
      </span>
    </search>
  );
}
