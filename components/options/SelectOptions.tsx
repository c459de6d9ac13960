/** The `<option>`s of a select: one per [value, label] pair, in order. */
export function SelectOptions({ options }: { options: ReadonlyArray<readonly [string | number, string]> }) {
  return (
    <>
      {options.map(([value, label]) => (
        <option key={value} value={value}>
          {label}
        </option>
      ))}
    </>
  );
}
