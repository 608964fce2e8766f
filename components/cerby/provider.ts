/**
 * Dynamic provider for the workspace's "Enable Okta Universal Logout" setting. Methods stay short: validation lives
 * in ./inputs, HTTP and parsing in ./client. The API key is read at run time (`configure` or CERBY_API_KEY) and is never
 * part of the serialized provider, inputs or outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { CerbyClient } from "./client";
import { CerbyUniversalLogoutInputs, checkCerbyInputs, cerbyBaseUrl } from "./inputs";
import { logInfo } from "../log";
import { UserError } from "../http";
import { providerSettings, setProviderSettings } from "../settings";
import { providerRef } from "../provider-ref";
import { cerbyReadInputs, cerbySettingId, convergeCerby, disableCerby, readCerby } from "./converge";

/** Inputs plus what was read from Cerby. `enabled` and `appInstanceId` hold the live values after create/read. */
export interface CerbyUniversalLogoutState extends CerbyUniversalLogoutInputs {
  /** The workspace API base the resource talks to. */
  url: string;
  idpType?: string | null;
  scimEnabled?: boolean | null;
  updatedAt?: string | null;
  warnings: string[];
}

interface ProviderSettings {
  apiKey?: string;
  timeoutMs?: number;
  retries?: number;
  configProblems?: Array<{ property: string; reason: string }>;
}

type ConfigureRequest = { config: { get(key: string): string | undefined } };

export { cerbySettingId };

/** The API key: stack config (via configure) first, then CERBY_API_KEY. Read per call, never stored on the provider. */
function cerbyApiKey(): string | undefined {
  return providerSettings<ProviderSettings>("cerby").apiKey || process.env.CERBY_API_KEY || undefined;
}

function cerbyClient(inputs: CerbyUniversalLogoutInputs): CerbyClient {
  // Stack config (cerby:httpTimeoutMs, cerby:httpRetries) first, then the CERBY_HTTP_* environment (tests, bench).
  const settings = providerSettings<ProviderSettings>("cerby");
  const env = process.env;
  // `!== undefined`, not truthiness: cerby:httpRetries 0 (no retries) is a valid setting.
  const retries =
    settings.retries ?? (env.CERBY_HTTP_RETRIES !== undefined ? Number(env.CERBY_HTTP_RETRIES) : undefined);
  return new CerbyClient({
    baseUrl: cerbyBaseUrl(inputs),
    settingsPath: inputs.settingsPath,
    appInstanceId: inputs.appInstanceId,
    apiKey: () => {
      const key = cerbyApiKey();
      if (!key)
        throw new UserError(
          "Cerby API key is not set: run `pulumi config set --secret cerby:apiKey <key>` or set CERBY_API_KEY.",
        );
      return key;
    },
    timeoutMs: settings.timeoutMs ?? (env.CERBY_HTTP_TIMEOUT_MS ? Number(env.CERBY_HTTP_TIMEOUT_MS) : undefined),
    retry: {
      ...(retries !== undefined ? { retries } : {}),
      ...(env.CERBY_HTTP_BASE_DELAY_MS ? { baseDelayMs: Number(env.CERBY_HTTP_BASE_DELAY_MS) } : {}),
    },
  });
}

/** State holds the inputs (refresh); without them (`get`: only the serialized provider) read works from the id. */
const hasState = (props?: Partial<CerbyUniversalLogoutState>) => !!props && !!(props.workspace || props.baseUrl);

// `satisfies` (at the end): tsc checks this against the SDK interface (`npm run lint` is the type test), keeping the
// methods' own, narrower result types for callers.
export const cerbyUniversalLogoutProvider = {
  async configure(req: ConfigureRequest): Promise<void> {
    // A value that is not a whole number in range is reported by check (naming the key), never silently used.
    const configProblems: Array<{ property: string; reason: string }> = [];
    const num = (key: string, min: number, max: number) => {
      const v = req.config.get(key)?.trim();
      if (v === undefined || v === "") return undefined;
      if (/^\d+$/.test(v) && Number(v) >= min && Number(v) <= max) return Number(v);
      configProblems.push({
        property: key.replace(/^cerby:/, ""),
        reason: `${key} ${JSON.stringify(v.slice(0, 40))} is not a whole number from ${min} to ${max}`,
      });
      return undefined;
    };
    setProviderSettings<ProviderSettings>("cerby", {
      apiKey: req.config.get("cerby:apiKey"),
      timeoutMs: num("cerby:httpTimeoutMs", 1, 600_000),
      retries: num("cerby:httpRetries", 0, 10),
      configProblems,
    });
  },

  async check(_olds: unknown, news: unknown): Promise<pulumi.dynamic.CheckResult<CerbyUniversalLogoutInputs>> {
    const { inputs, failures } = checkCerbyInputs(news as Record<string, unknown>);
    failures.push(...(providerSettings<ProviderSettings>("cerby").configProblems ?? []));
    if (inputs.mode === "api" && !cerbyApiKey()) {
      failures.push({
        property: "apiKey",
        reason:
          "no Cerby API key: run `pulumi config set --secret cerby:apiKey <key>` (or set CERBY_API_KEY), with a key of a " +
          "workspace Owner, Super Admin or Admin — or use manual mode (cerby:mode manual)",
      });
    }
    return { inputs, failures };
  },

  async diff(
    _id: string,
    olds: Partial<CerbyUniversalLogoutState>,
    news: CerbyUniversalLogoutInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const replaces = (["workspace", "baseUrl"] as const).filter(
      (k) => (olds[k] ?? undefined) !== (news[k] ?? undefined),
    );
    // State written by earlier versions may lack a field: compare against the same defaults check applies.
    const oldNorm = checkCerbyInputs(olds as Record<string, unknown>).inputs;
    const changed = (["appInstanceId", "enabled", "mode", "settingsPath", "requireScimProvisioning"] as const).filter(
      (k) => (k === "appInstanceId" ? (olds.appInstanceId ?? null) : oldNorm[k]) !== news[k],
    );
    return { changes: replaces.length + changed.length > 0, replaces, deleteBeforeReplace: false };
  },

  async create(inputs: CerbyUniversalLogoutInputs) {
    const outs = await convergeCerby(cerbyClient(inputs), inputs);
    return { id: cerbySettingId(inputs), outs };
  },

  async update(_id: string, _olds: CerbyUniversalLogoutState, news: CerbyUniversalLogoutInputs) {
    return { outs: await convergeCerby(cerbyClient(news), news) };
  },

  /** Refresh (with state) or `get`/import (the id alone: see cerbyReadInputs for what an import assumes). */
  async read(id: string, props?: CerbyUniversalLogoutState) {
    if (hasState(props) && props!.mode === "manual") return { id, props: props! };
    const inputs = cerbyReadInputs(id, props);
    const read = await readCerby(cerbyClient(inputs), inputs, hasState(props) ? props : undefined);
    // The SDK declares ReadResult.inputs with the Outputs type, but they are inputs: the plugin stores them as the
    // resource's inputs, which the next diff compares against the program's.
    return { id, props: read.props, inputs: read.inputs as unknown as CerbyUniversalLogoutState };
  },

  async delete(_id: string, props: CerbyUniversalLogoutState): Promise<void> {
    if (props.mode === "manual") {
      logInfo(
        `Cerby (manual mode): Pulumi made no call. To turn it off, switch off "Enable Okta Universal Logout" in ${props.url}.`,
      );
      return;
    }
    await disableCerby(cerbyClient(props));
  },
} satisfies pulumi.dynamic.ResourceProvider<CerbyUniversalLogoutInputs, CerbyUniversalLogoutState>;

/** Args of the Cerby side, as a user writes them. */
export interface CerbyUniversalLogoutArgs {
  /** Cerby workspace name: the subdomain of https://{workspace}.cerby.com. */
  workspace?: pulumi.Input<string>;
  /** Full base URL instead of the workspace (private deployments, emulators); https unless loopback. */
  baseUrl?: pulumi.Input<string>;
  /** The Okta app ID of the Cerby app, which Cerby calls "App instance Id". */
  appInstanceId: pulumi.Input<string>;
  /** "api" (default): Pulumi calls Cerby. "manual": you do the web-app step; Pulumi records it and makes no call. */
  mode?: pulumi.Input<"api" | "manual">;
  /** Path prefix of the assumed settings endpoint (default /api/v1/settings/idp). */
  settingsPath?: pulumi.Input<string>;
  /** Desired state of "Enable Okta Universal Logout" (default true). */
  enabled?: pulumi.Input<boolean>;
  /** Fail instead of warning when the workspace's IdP is not Okta or SCIM provisioning is off. */
  requireScimProvisioning?: pulumi.Input<boolean>;
}

/** The Cerby workspace's Okta Universal Logout setting, as a Pulumi resource. */
export class CerbyUniversalLogout extends pulumi.dynamic.Resource {
  declare readonly enabled: pulumi.Output<boolean>;
  declare readonly appInstanceId: pulumi.Output<string | null>;
  declare readonly url: pulumi.Output<string>;
  declare readonly mode: pulumi.Output<"api" | "manual">;
  declare readonly idpType: pulumi.Output<string | null | undefined>;
  declare readonly scimEnabled: pulumi.Output<boolean | null | undefined>;
  declare readonly warnings: pulumi.Output<string[]>;

  constructor(name: string, args: CerbyUniversalLogoutArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      // A reference that loads cerbyUniversalLogoutProvider at run time: Pulumi stores ~2 kB in state, not the whole implementation.
      providerRef(__filename, "components/cerby/provider", "cerbyUniversalLogoutProvider"),
      name,
      {
        // Named here so they are outputs even when not given (check applies the defaults; `get` gives none).
        enabled: undefined,
        mode: undefined,
        ...args,
        appInstanceId: args.appInstanceId,
        url: undefined,
        idpType: undefined,
        scimEnabled: undefined,
        updatedAt: undefined,
        warnings: undefined,
      },
      opts,
      "cerby",
      "UniversalLogout",
    );
  }

  /**
   * The setting of an existing workspace, read by its id (`<workspace URL>#okta-universal-logout`, as `pulumi up`
   * records it), without managing it: Pulumi never writes it or switches it off. The settings path is the default
   * unless given here; the mode is "api" (a manual-mode setting has nothing to read).
   */
  static get(
    name: string,
    id: pulumi.Input<pulumi.ID>,
    state?: { settingsPath?: pulumi.Input<string> },
    opts?: pulumi.CustomResourceOptions,
  ): CerbyUniversalLogout {
    // With `id` set Pulumi reads instead of registering; the provider's read needs only the id (and settingsPath).
    return new CerbyUniversalLogout(name, { ...state } as CerbyUniversalLogoutArgs, { ...opts, id });
  }
}
