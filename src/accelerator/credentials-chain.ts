// The accelerator's own credentials, for requests without Basic auth. The order follows the
// AWS SDKs' default chain for the sources it supports: an explicit `--profile` first, then
// AWS_ACCESS_KEY_ID with AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), then the profile named
// by AWS_PROFILE, then the `default` profile of the shared credentials file. Roles, SSO, process
// credentials and instance metadata are not supported, so the accelerator never contacts a
// metadata address.

import { homedir } from 'node:os';
import { join } from 'node:path';
import { Credentials } from './credentials.js';
import { AcceleratorError } from './errors.js';

export interface CredentialSources {
  environment: Record<string, string | undefined>;
  /** The profile given by `--profile` or SQS_ACCELERATOR_PROFILE; it must exist. */
  profile?: string;
  /** Reads a file as UTF-8 text; throws an error with `code` ENOENT when the file is missing. */
  readFile: (path: string) => string;
  /** The home directory for `~/.aws/credentials`; os.homedir() by default. */
  homeDirectory?: string;
}

function sourceError(message: string): AcceleratorError {
  return new AcceleratorError('INVALID_CREDENTIALS_SOURCE', 'credentials', message);
}

/**
 * Parses a shared credentials file (INI) into profiles of lower-cased keys. Sections are
 * `[name]`, and a `profile ` prefix is dropped as the config file writes it. Lines starting
 * with `#` or `;` are comments. Spaces around names, keys and values are ignored. Any other
 * line throws an error with its line number but not its text, which may be a secret.
 */
export function parseSharedCredentials(text: string, path: string): Map<string, Map<string, string>> {
  const profiles = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;

  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;

    if (line.startsWith('[') && line.endsWith(']')) {
      let name = line.slice(1, -1).trim();
      if (name.startsWith('profile ')) name = name.slice(8).trim();
      current = profiles.get(name) ?? new Map<string, string>();
      profiles.set(name, current);
      continue;
    }

    const equals = line.indexOf('=');
    if (equals <= 0 || current === undefined) {
      throw sourceError(`shared credentials file ${path} line ${index + 1} is neither a [profile] header nor a key = value line inside a profile: fix the file`);
    }
    current.set(line.slice(0, equals).trim().toLowerCase(), line.slice(equals + 1).trim());
  }
  return profiles;
}

function readProfile(sources: CredentialSources, name: string, required: boolean): Credentials | undefined {
  const environment = sources.environment;
  const path = environment.AWS_SHARED_CREDENTIALS_FILE || join(sources.homeDirectory ?? homedir(), '.aws', 'credentials');

  let text: string;
  try {
    text = sources.readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !required) return undefined;
    throw sourceError(`cannot read shared credentials file ${path} (${code ?? (error as Error).message}) for profile ${JSON.stringify(name)}: create it or set AWS_SHARED_CREDENTIALS_FILE`);
  }

  const profile = parseSharedCredentials(text, path).get(name);
  if (profile === undefined) {
    if (!required) return undefined;
    throw sourceError(`profile ${JSON.stringify(name)} not found in shared credentials file ${path}: add a [${name}] section or choose another profile`);
  }

  const accessKeyId = profile.get('aws_access_key_id');
  const secretAccessKey = profile.get('aws_secret_access_key');
  if (!accessKeyId || !secretAccessKey) {
    const missing = accessKeyId ? 'aws_secret_access_key' : 'aws_access_key_id';
    throw sourceError(`profile ${JSON.stringify(name)} in ${path} has no ${missing}: only static keys are supported, not roles, SSO or credential_process`);
  }
  return new Credentials(accessKeyId, secretAccessKey, profile.get('aws_session_token') || undefined);
}

/**
 * Loads the accelerator's own credentials in the order described at the top of this file.
 * Returns undefined when no source is configured, so that every request needs Basic auth.
 * Throws INVALID_CREDENTIALS_SOURCE when a configured source is incomplete or unreadable:
 * a named profile that does not exist, a key id without its secret, an unparsable file.
 */
export function loadDefaultCredentials(sources: CredentialSources): Credentials | undefined {
  if (sources.profile !== undefined) return readProfile(sources, sources.profile, true);

  const environment = sources.environment;
  const accessKeyId = environment.AWS_ACCESS_KEY_ID || undefined;
  const secretAccessKey = environment.AWS_SECRET_ACCESS_KEY || undefined;
  if (accessKeyId !== undefined || secretAccessKey !== undefined) {
    if (accessKeyId === undefined || secretAccessKey === undefined) {
      const missing = accessKeyId === undefined ? 'AWS_ACCESS_KEY_ID' : 'AWS_SECRET_ACCESS_KEY';
      throw sourceError(`${missing} is not set while its partner is: set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither`);
    }
    return new Credentials(accessKeyId, secretAccessKey, environment.AWS_SESSION_TOKEN || undefined);
  }

  const namedProfile = environment.AWS_PROFILE || undefined;
  return readProfile(sources, namedProfile ?? 'default', namedProfile !== undefined);
}
