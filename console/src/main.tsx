import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { signIn } from './auth';
import './styles.css';

const root = createRoot(document.getElementById('root') as HTMLElement);

// Signed in first (a redirect to Gatehouse's own sign-in pages when needed), then the application.
signIn().then(
  (path) => {
    if (path)
      root.render(
        <StrictMode>
          <App />
        </StrictMode>,
      );
  },
  (error: unknown) => {
    root.render(
      <main id="main">
        <h1>Sign-in did not complete</h1>
        <p role="alert">{error instanceof Error ? error.message : String(error)}</p>
        <p>
          <a href="/admin/">Try again</a>
        </p>
      </main>,
    );
  },
);
