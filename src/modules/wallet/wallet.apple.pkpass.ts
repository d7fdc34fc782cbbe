import { createHash } from 'node:crypto';
import forge from 'node-forge';
import type { NotificationPrefs } from '../../db/types.js';
import { solidPng, zip } from './wallet.apple.files.js';
import type { PassContent } from './wallet.platforms.js';

export const PKPASS_MEDIA_TYPE = 'application/vnd.apple.pkpass';

export interface PassSigning {
  passTypeId: string;
  teamId: string;
  certificatePem: string;
  keyPem: string;
  wwdrPem: string;
}

export interface PassExtras {
  /** The pass token: Apple's authenticationToken. */
  token: string;
  /** Base of the PassKit web service (…/api/passkit); absent: the pass never updates. */
  webServiceUrl: string | null;
  prefs: NotificationPrefs;
  message: string | null;
}

const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

type Field = { key: string; label: string; value: string | number; changeMessage?: string; textAlignment?: string };

/** pass.json of a store card: what the member's pass shows. */
export function passJson(content: PassContent, signing: Pick<PassSigning, 'passTypeId' | 'teamId'>, extras: PassExtras): Record<string, unknown> {
  const when = (allowed: boolean, text: string) => (allowed ? { changeMessage: text } : {});
  const back: Field[] = [];
  if (extras.message) back.push({ key: 'message', label: 'Latest message', value: extras.message, changeMessage: '%@' });
  back.push({ key: 'webapp', label: 'Your card online', value: content.webAppUrl });
  back.push({ key: 'cardCode', label: 'Card number', value: content.cardCode });
  if (content.terms) back.push({ key: 'terms', label: 'Terms and conditions', value: content.terms });
  const barcode = { format: 'PKBarcodeFormatQR', message: content.cardCode, messageEncoding: 'iso-8859-1', altText: content.cardCode };
  return {
    formatVersion: 1,
    passTypeIdentifier: signing.passTypeId,
    teamIdentifier: signing.teamId,
    serialNumber: content.serialNumber,
    organizationName: content.organizationName,
    description: `${content.organizationName} loyalty card`,
    logoText: content.organizationName,
    backgroundColor: rgb(content.backgroundColor),
    foregroundColor: rgb(content.foregroundColor),
    labelColor: rgb(content.foregroundColor),
    ...(extras.webServiceUrl ? { webServiceURL: extras.webServiceUrl, authenticationToken: extras.token } : {}),
    barcodes: [barcode],
    barcode,
    storeCard: {
      headerFields: [{ key: 'tier', label: 'Tier', value: content.tierName ?? '—', ...when(extras.prefs.tier, 'You are now %@') }],
      primaryFields: [{ key: 'balance', label: 'Points', value: content.balance, ...when(extras.prefs.balance, 'Your balance is now %@ points') }],
      secondaryFields: [{ key: 'member', label: 'Member', value: content.memberName }],
      auxiliaryFields: [
        {
          key: 'rewards',
          label: 'Rewards available',
          value: content.rewardsAvailable.length > 0 ? content.rewardsAvailable.join(', ') : 'None yet',
          ...when(extras.prefs.rewardAvailable, 'Rewards available: %@'),
        },
      ],
      backFields: back,
    },
  };
}

/** Detached PKCS#7 (DER) over the manifest: signed by the pass certificate's key, with the WWDR certificate and the signing time. */
export function signManifest(manifest: Buffer, signing: PassSigning, at: Date): Buffer {
  const p7 = forge.pkcs7.createSignedData();
  p7.content = forge.util.createBuffer(manifest.toString('binary'));
  const cert = forge.pki.certificateFromPem(signing.certificatePem);
  p7.addCertificate(forge.pki.certificateFromPem(signing.wwdrPem));
  p7.addCertificate(cert);
  p7.addSigner({
    key: forge.pki.privateKeyFromPem(signing.keyPem),
    certificate: cert,
    digestAlgorithm: forge.pki.oids.sha256!,
    authenticatedAttributes: [
      { type: forge.pki.oids.contentType!, value: forge.pki.oids.data! },
      { type: forge.pki.oids.messageDigest! },
      { type: forge.pki.oids.signingTime!, value: at as unknown as string },
    ],
  });
  p7.sign({ detached: true });
  return Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
}

/** The .pkpass bundle: pass.json, images, manifest.json (SHA-1 of each file) and its signature, zipped. */
export function buildPkpass(content: PassContent, signing: PassSigning, extras: PassExtras, at: Date): Buffer {
  const files: { name: string; data: Buffer }[] = [
    { name: 'pass.json', data: Buffer.from(JSON.stringify(passJson(content, signing, extras), null, 2), 'utf8') },
    { name: 'icon.png', data: solidPng(29, 29, content.backgroundColor) },
    { name: 'icon@2x.png', data: solidPng(58, 58, content.backgroundColor) },
    { name: 'logo.png', data: solidPng(50, 50, content.foregroundColor) },
    { name: 'logo@2x.png', data: solidPng(100, 100, content.foregroundColor) },
  ];
  const manifest = Buffer.from(JSON.stringify(Object.fromEntries(files.map((f) => [f.name, createHash('sha1').update(f.data).digest('hex')]))), 'utf8');
  return zip([...files, { name: 'manifest.json', data: manifest }, { name: 'signature', data: signManifest(manifest, signing, at) }], at);
}
