import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { browser } from 'wxt/browser';
import { OptionsPage } from '../../components/options/OptionsPage';
import { createExtensionApi } from '../../components/shared/ExtensionApi';
import { browserPolicyEvents } from '../../lib/platform/browserPolicyEvents';
import { browserSidePanel } from '../../lib/platform/browserSidePanel';
import { sendToBackground } from '../../lib/platform/runtime';
import { formatOptionsRoute, type OptionsRoute, parseOptionsRoute } from '../../lib/setup/optionsRoute';
import './options.css';

const api = createExtensionApi(
  sendToBackground,
  {
    // Called straight from the Save / Test click handlers, inside the user gesture the
    // browser requires before it shows the permission prompt.
    requestOriginPermission: (origin) => browser.permissions.request({ origins: [`${origin}/*`] }),
  },
  browserSidePanel(),
  browserPolicyEvents(),
);

/** The view follows the address hash, so a step can be linked to (popup) and Back works. */
function OptionsRoot() {
  const [route, setRoute] = useState<OptionsRoute>(() => parseOptionsRoute(location.hash));
  useEffect(() => {
    const onHashChange = () => setRoute(parseOptionsRoute(location.hash));
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }, []);
  const navigate = (next: OptionsRoute) => {
    location.hash = formatOptionsRoute(next);
    window.scrollTo(0, 0);
  };
  return <OptionsPage api={api} route={route} navigate={navigate} />;
}

createRoot(document.getElementById('root')!).render(<OptionsRoot />);
