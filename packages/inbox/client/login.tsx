import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { ApiFailure, api, type SessionInfo, setCsrf } from './api.js';
import type { T } from './i18n.js';

/**
 * The login form's session may be gone by the time it is sent (left open past the idle limit, or pushed
 * out by a flood of new anonymous sessions): a refused CSRF token gets a fresh session and one more try,
 * rather than a "wrong password" the agent cannot make sense of.
 */
async function loginOnce(login: string, password: string): Promise<SessionInfo> {
  try {
    return await api.login(login, password);
  } catch (failure) {
    if (!(failure instanceof ApiFailure && failure.code === 'CSRF')) throw failure;
    setCsrf((await api.session()).csrf);
    return api.login(login, password);
  }
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
  return (
    <main class="login">
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            onLogin(await loginOnce(login, password));
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
