export function OptionsApp() {
  return (
    <main style={{ maxWidth: 720, margin: '24px auto', fontFamily: 'system-ui, sans-serif' }}>
      <h1>CRM Sidebar settings</h1>
    </main>
  );
}
