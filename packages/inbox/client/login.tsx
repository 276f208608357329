import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiFailure, api, type SessionInfo, setCsrf } from './api.js';
import type { T } from './i18n.js';

/**
 * The login form's token may have aged out by the time the form is sent (left open overnight), or its
 * cookie been cleared: a refused CSRF token gets a fresh one and one more try, rather than a "wrong
 * password" the agent cannot make sense of.
 */
async function withFreshToken(send: () => Promise<SessionInfo>): Promise<SessionInfo> {
  try {
    return await send();
  } catch (failure) {
    if (!(failure instanceof ApiFailure && failure.code === 'CSRF')) throw failure;
    setCsrf((await api.session()).csrf);
    return send();
  }
}

/** A one-time login link's token (`ym-chats agents link`: …/login#link=TOKEN), taken out of the address bar. */
function takeLinkToken(): string | undefined {
  const token = /^#link=([A-Za-z0-9_-]+)$/.exec(location.hash)?.[1];
  if (token !== undefined) history.replaceState(null, '', '/');
  return token;
}

export function Login({
  t,
  toggle,
  onLogin,
}: {
  t: T;
  toggle: JSX.Element;
  onLogin: (s: SessionInfo) => void;
}) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const token = takeLinkToken();
    if (token === undefined) return;
    withFreshToken(() => api.loginLink(token)).then(onLogin, (failure: unknown) =>
      // The server's words (a used or expired link, and how to get a new one): no translation has them yet.
      setError(failure instanceof Error ? failure.message : String(failure)),
    );
  }, []);
  return (
    <main class="login">
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            onLogin(await withFreshToken(() => api.login(login, password)));
          } catch (failure) {
            if (failure instanceof ApiFailure && failure.status === 429) {
              setError(t('tooMany', { s: failure.retryAfter ?? 60 }));
            } else setError(t('badLogin'));
          }
        }}
      >
        <h1>ym-chats</h1>
        <label>
          {t('loginName')}
          <input
            name="login"
            autoComplete="username"
            value={login}
            onInput={(e) => setLogin(e.currentTarget.value)}
          />
        </label>
        <label>
          {t('password')}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {error ? (
          <p class="problem" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" class="primary">
          {t('login')}
        </button>
        {toggle}
      </form>
    </main>
  );
}
