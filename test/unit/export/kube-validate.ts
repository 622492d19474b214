// Checks generated objects the way the API server would: the OpenAPI schema (kubernetes-models) plus the
// validation rules the schema does not encode (name formats, selectors, port names, volume references).
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { KubeObject } from '../../../src/export/kubernetes/types.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const IANA_SVC_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Runs the model's JSON-schema validation; returns its message or nothing. */
export function schemaErrors(obj: KubeObject): string[] {
  try {
    switch (obj.kind) {
      case 'Deployment':
        new Deployment(obj).validate();
        break;
      case 'StatefulSet':
        new StatefulSet(obj).validate();
        break;
      case 'DaemonSet':
        new DaemonSet(obj).validate();
        break;
      case 'Service':
        new Service(obj).validate();
        break;
      case 'PersistentVolumeClaim':
        new PersistentVolumeClaim(obj).validate();
        break;
      case 'ConfigMap':
        new ConfigMap(obj).validate();
        break;
      case 'Secret':
        new Secret(obj).validate();
        break;
    }
    return [];
  } catch (err) {
    return [`${obj.kind}/${obj.metadata?.name}: ${String(err)}`];
  }
}

function labelKeyOk(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && QUALIFIED_NAME.test(name);
}

function metaErrors(obj: KubeObject, err: (m: string) => void): void {
  const name = obj.metadata?.name ?? '';
  const nameOk =
    obj.kind === 'Service'
      ? DNS1035_LABEL.test(name) && name.length <= 63
      : DNS1123_SUBDOMAIN.test(name) && name.length <= 253;
  if (!nameOk) err(`metadata.name "${name}" is not valid for a ${obj.kind}`);
  if (obj.kind === 'StatefulSet' && name.length > 52) err(`StatefulSet name longer than 52`);
  if (obj.metadata?.namespace !== undefined && !DNS1123_LABEL.test(obj.metadata.namespace))
    err('bad namespace');
  for (const [k, v] of Object.entries(obj.metadata?.labels ?? {})) {
    if (!labelKeyOk(k)) err(`label key "${k}"`);
    if (v !== '' && !(v.length <= 63 && QUALIFIED_NAME.test(v))) err(`label value "${v}" of ${k}`);
  }
  for (const k of Object.keys(obj.metadata?.annotations ?? {}))
    if (!labelKeyOk(k)) err(`annotation key "${k}"`);
}

function containerErrors(c: IContainer, volumeNames: Set<string>, err: (m: string) => void): void {
  if (!DNS1123_LABEL.test(c.name) || c.name.length > 63) err(`container name "${c.name}"`);
  if (!c.image) err(`container ${c.name} has no image`);
  const portNames = new Set<string>();
  for (const p of c.ports ?? []) {
    if (p.containerPort < 1 || p.containerPort > 65535) err(`containerPort ${p.containerPort}`);
    if (p.hostPort !== undefined && (p.hostPort < 1 || p.hostPort > 65535)) err(`hostPort ${p.hostPort}`);
    if (p.name !== undefined) {
      if (!(p.name.length <= 15 && IANA_SVC_NAME.test(p.name) && /[a-z]/.test(p.name)))
        err(`port name ${p.name}`);
      if (portNames.has(p.name)) err(`duplicate port name ${p.name}`);
      portNames.add(p.name);
    }
  }
  const paths = new Set<string>();
  for (const m of c.volumeMounts ?? []) {
    if (!volumeNames.has(m.name)) err(`container ${c.name} mounts unknown volume ${m.name}`);
    if (paths.has(m.mountPath)) err(`container ${c.name} mounts ${m.mountPath} twice`);
    if (!m.mountPath.startsWith('/')) err(`mountPath ${m.mountPath} is not absolute`);
    paths.add(m.mountPath);
  }
  for (const e of c.env ?? []) if (!ENV_NAME.test(e.name)) err(`env name ${e.name}`);
  for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
    if (!probe) continue;
    for (const f of ['periodSeconds', 'timeoutSeconds', 'failureThreshold'] as const) {
      const v = probe[f];
      if (v !== undefined && v < 1) err(`probe ${f} ${v} < 1`);
    }
    if (!probe.exec?.command?.length && !probe.httpGet && !probe.tcpSocket) err('probe without handler');
  }
}

function podErrors(
  t: IPodTemplateSpec | undefined,
  matchLabels: Record<string, string>,
  err: (m: string) => void,
): void {
  const labels = t?.metadata?.labels ?? {};
  if (Object.keys(matchLabels).length === 0) err('empty selector');
  for (const [k, v] of Object.entries(matchLabels))
    if (labels[k] !== v) err(`selector ${k}=${v} does not match the template`);
  for (const [k, v] of Object.entries(labels)) {
    if (!labelKeyOk(k)) err(`pod label key "${k}"`);
    if (v !== '' && !(v.length <= 63 && QUALIFIED_NAME.test(v))) err(`pod label value "${v}"`);
  }
  const spec = t?.spec;
  if (!spec || spec.containers.length === 0) return err('no containers');
  const volumeNames = new Set<string>();
  for (const v of spec.volumes ?? []) {
    if (!DNS1123_LABEL.test(v.name)) err(`volume name ${v.name}`);
    if (volumeNames.has(v.name)) err(`duplicate volume ${v.name}`);
    volumeNames.add(v.name);
  }
  const names = new Set<string>();
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    if (names.has(c.name)) err(`duplicate container name ${c.name}`);
    names.add(c.name);
    containerErrors(c, volumeNames, err);
  }
  if (spec.hostname !== undefined && !DNS1123_LABEL.test(spec.hostname)) err(`hostname ${spec.hostname}`);
  if (spec.restartPolicy !== undefined && spec.restartPolicy !== 'Always')
    err('workload pods must restart Always');
}

function serviceErrors(obj: Extract<KubeObject, { kind: 'Service' }>, err: (m: string) => void): void {
  const ports = obj.spec?.ports ?? [];
  if (ports.length === 0) err('Service without ports');
  const names = new Set<string>();
  const seen = new Set<string>();
  for (const p of ports) {
    if (ports.length > 1 && !p.name) err('multi-port Service needs port names');
    if (p.name !== undefined) {
      if (!(p.name.length <= 15 && IANA_SVC_NAME.test(p.name) && /[a-z]/.test(p.name)))
        err(`service port name ${p.name}`);
      if (names.has(p.name)) err(`duplicate service port name ${p.name}`);
      names.add(p.name);
    }
    if (p.port < 1 || p.port > 65535) err(`service port ${p.port}`);
    const key = `${p.port}/${p.protocol ?? 'TCP'}`;
    if (seen.has(key)) err(`duplicate service port ${key}`);
    seen.add(key);
  }
  if (obj.spec?.type === 'LoadBalancer' && obj.spec.clusterIP === 'None') err('headless LoadBalancer');
  if (!obj.spec?.selector || Object.keys(obj.spec.selector).length === 0) err('Service without selector');
}

/** The API server's rules beyond the schema, for one object. */
export function apiErrors(obj: KubeObject): string[] {
  const out: string[] = [];
  const err = (m: string): void => {
    out.push(`${obj.kind}/${obj.metadata?.name}: ${m}`);
  };
  metaErrors(obj, err);
  switch (obj.kind) {
    case 'Deployment': {
      podErrors(obj.spec?.template, obj.spec?.selector.matchLabels ?? {}, err);
      const ru = obj.spec?.strategy?.rollingUpdate;
      if (ru && ru.maxSurge === 0 && ru.maxUnavailable === 0) err('maxSurge and maxUnavailable both 0');
      break;
    }
    case 'StatefulSet':
      podErrors(obj.spec?.template, obj.spec?.selector.matchLabels ?? {}, err);
      if (!obj.spec?.serviceName) err('StatefulSet without serviceName');
      break;
    case 'DaemonSet': {
      podErrors(obj.spec?.template, obj.spec?.selector.matchLabels ?? {}, err);
      const ru = obj.spec?.updateStrategy?.rollingUpdate;
      if (ru && ru.maxSurge === 0 && ru.maxUnavailable === 0) err('maxSurge and maxUnavailable both 0');
      break;
    }
    case 'Service':
      serviceErrors(obj, err);
      break;
    case 'PersistentVolumeClaim':
      if (!obj.spec?.accessModes?.length) err('no accessModes');
      if (!obj.spec?.resources?.requests?.storage) err('no storage request');
      break;
    case 'ConfigMap':
      for (const k of [...Object.keys(obj.data ?? {}), ...Object.keys(obj.binaryData ?? {})])
        if (!CONFIG_KEY.test(k)) err(`key ${k}`);
      for (const k of Object.keys(obj.data ?? {}))
        if (obj.binaryData?.[k] !== undefined) err(`key ${k} in data and binaryData`);
      break;
    case 'Secret':
      for (const [k, v] of Object.entries(obj.data ?? {})) {
        if (!CONFIG_KEY.test(k)) err(`key ${k}`);
        if (!BASE64.test(v)) err(`value of ${k} is not base64`);
      }
      break;
  }
  return out;
}

/** Volumes must point at claims, Secrets and ConfigMaps that the export creates or that are declared external. */
export function referenceErrors(
  objects: readonly KubeObject[],
  external: ReadonlySet<string> = new Set(),
): string[] {
  const have = new Set(objects.map((o) => `${o.kind}/${o.metadata?.name}`));
  const out: string[] = [];
  const names = new Set<string>();
  for (const o of objects) {
    const id = `${o.kind}/${o.metadata?.name}`;
    if (names.has(id)) out.push(`duplicate object ${id}`);
    names.add(id);
    if (o.kind !== 'Deployment' && o.kind !== 'StatefulSet' && o.kind !== 'DaemonSet') continue;
    for (const v of o.spec?.template.spec?.volumes ?? []) {
      const ref = v.persistentVolumeClaim
        ? `PersistentVolumeClaim/${v.persistentVolumeClaim.claimName}`
        : v.secret
          ? `Secret/${v.secret.secretName}`
          : v.configMap
            ? `ConfigMap/${v.configMap.name}`
            : undefined;
      if (ref !== undefined && !have.has(ref) && !external.has(ref))
        out.push(`${id} refers to missing ${ref}`);
    }
  }
  return out;
}

/** Every problem in an export: schema, API rules and references. */
export function allErrors(objects: readonly KubeObject[], external?: ReadonlySet<string>): string[] {
  return [
    ...objects.flatMap((o) => [...schemaErrors(o), ...apiErrors(o)]),
    ...referenceErrors(objects, external),
  ];
}
