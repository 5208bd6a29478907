// Which records are failed authentications: by template text (sshd, PAM, "login failed" ...) or an HTTP 401/403.

/**
 * Wording of failed authentications across common software: sshd (`Failed password`, `Invalid user`,
 * `authentication failure`), PAM, web apps (`login failed`, `invalid credentials`, `bad password`), databases
 * (`password authentication failed`). Users can add patterns (`detect.authFailurePatterns`).
 */
export const builtinAuthFailure = /\b(failed (password|publickey|none|login|authentication)|invalid (user|credentials|password)|authentication fail(ed|ure)|login fail(ed|ure)|bad password|password authentication failed|access denied for user|unauthorized)\b/i;

/** An access-log request line answered 401 or 403 (method path protocol status ...). */
const deniedRequest = /^[A-Z]+ \S+ HTTP\/[\d.]+ 40[13]\b/;

/** Classifies templates once (the text of a template only widens) and messages cheaply. */
export class AuthFailureClassifier {
  private readonly byTemplate = new Map<string, boolean>();
  constructor(private readonly extra: readonly RegExp[] = [], private readonly maxTemplates = 100_000) {}

  /** `templateText` is called only the first time a template is seen (building the text costs an allocation). */
  isFailure(templateId: string, templateText: () => string | undefined, message: string): boolean {
    if (message.charCodeAt(0) <= 90 && deniedRequest.test(message)) return true;
    let v = this.byTemplate.get(templateId);
    if (v === undefined) {
      const text = templateText() ?? message;
      v = builtinAuthFailure.test(text) || this.extra.some((r) => r.test(text));
      if (this.byTemplate.size >= this.maxTemplates) this.byTemplate.clear();
      this.byTemplate.set(templateId, v);
    }
    return v;
  }
}

const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/;
const USER = /\b(?:for (?:invalid user |illegal user )?|user[= ])([A-Za-z0-9._@-]{1,64})\b/;

/** The client address and user a failed authentication names in its text, for records whose fields name none. */
export function attributionOf(message: string): { ip: string; user: string } {
  return { ip: IPV4.exec(message)?.[0] ?? '', user: USER.exec(message)?.[1] ?? '' };
}
