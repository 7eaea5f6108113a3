// The console's JSON API client: every state-changing call carries the session's CSRF token.

let csrfToken = '';

/** Keep the CSRF token of the session (from GET /admin/api/session). */
export function setCsrfToken(token) {
  csrfToken = token;
}

/** Call `/admin/api/<path>`; resolves with the JSON reply, or rejects with the server's Vietnamese `{error}`. */
export async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(`/admin/api/${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new Error('Không kết nối được tới máy chủ. Kiểm tra mạng rồi thử lại.');
  }
  if (res.status === 401) {
    // The session ended (signed out, expired, revoked): the page itself now answers with the sign-in page.
    setTimeout(() => location.assign('/admin/'), 1500);
    throw new Error('Phiên đăng nhập đã kết thúc. Gửi /dangnhap cho bot để nhận đường dẫn mới.');
  }
  let data;
  try {
    data = await res.json();
  } catch {
    data = undefined;
  }
  if (!res.ok) throw new Error(data?.error || `Máy chủ không làm được việc này (mã ${res.status}). Thử lại sau ít phút.`);
  return data;
}

/** A path segment, encoded. */
export const seg = (value) => encodeURIComponent(String(value));
