import { DURATION_UNITS, type DurationUnit } from "@/lib/duration-input";

/**
 * A duration as a whole number and a unit (minutes, hours, days), posted as `<name>Count` and
 * `<name>Unit` for the server to turn into ISO 8601 (lib/duration-input.ts): nobody has to
 * know that PT10M is ten minutes. The group is named by `label`, the number by the label too
 * and the unit as "<label>, unit", so each control says what it is to a screen reader.
 */
export function DurationField({
  id,
  label,
  name,
  defaultCount,
  defaultUnit,
  required,
  placeholder,
  describedBy,
}: {
  /** Prefixes the ids of the label; unique on the page. */
  id: string;
  label: string;
  name: string;
  /** Empty for a field whose default is no duration (never, learned). */
  defaultCount?: string;
  defaultUnit: DurationUnit;
  required?: boolean;
  placeholder?: string;
  describedBy?: string;
}) {
  const labelId = `${id}-label`;
  return (
    <div className="field duration-field" role="group" aria-labelledby={labelId}>
      <span id={labelId}>{label}</span>
      <span className="duration-inputs">
        <input
          name={`${name}Count`}
          type="number"
          inputMode="numeric"
          min={0}
          step={1}
          required={required}
          defaultValue={defaultCount}
          placeholder={placeholder}
          aria-labelledby={labelId}
          aria-describedby={describedBy}
        />
        <select name={`${name}Unit`} defaultValue={defaultUnit} aria-label={`${label}, unit`}>
          {DURATION_UNITS.map((unit) => (
            <option key={unit} value={unit}>
              {unit}
            </option>
          ))}
        </select>
      </span>
    </div>
  );
}
