import { CrmPanel, type CrmPanelProps } from './CrmPanel';
import { panelStyles } from './panelStyles';

/** The one thing a host mounts: the panel with its own stylesheet beside it. */
export function PanelRoot(props: CrmPanelProps) {
  return (
    <>
      <style>{panelStyles}</style>
      <CrmPanel {...props} />
    </>
  );
}
