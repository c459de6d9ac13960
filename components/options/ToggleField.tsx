import { useId } from 'react';

export interface ToggleFieldProps {
  label: string;
  description?: React.ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
}

/** A labelled checkbox with its explanation tied to it for assistive technology. */
export function ToggleField({ label, description, checked, onChange, disabled }: ToggleFieldProps) {
  const id = useId();
  const descriptionId = useId();
  return (
    <div className="toggle">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        disabled={disabled}
        onChange={(e) => onChange(e.target.checked)}
        aria-describedby={description ? descriptionId : undefined}
      />
      <div>
        <label htmlFor={id}>{label}</label>
        {description && (
          <p id={descriptionId} className="hint">
            {description}
          </p>
        )}
      </div>
    </div>
  );
}
