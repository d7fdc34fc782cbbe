import { createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { AppError } from '../../errors.js';

/** Apple's Pass Type ID: "pass." then a reverse-DNS name, e.g. pass.com.example.loyalty. */
export const PASS_TYPE_ID = /^pass(\.[A-Za-z0-9][A-Za-z0-9-]*)+$/;
/** Apple's Team ID: 10 upper-case letters and digits. */
export const TEAM_ID = /^[A-Z0-9]{10}$/;

export interface AppleCertificates {
  /** The Pass Type ID certificate, PEM. */
  certificatePem: string;
  /** Its RSA private key, PEM (PKCS#1, unencrypted). */
  keyPem: string;
  /** Apple's WWDR intermediate certificate, PEM. */
  wwdrPem: string;
  expiresAt: Date;
  /** A development set (the WWDR is not Apple's): iPhones refuse its passes. */
  selfSigned: boolean;
}

const fail = (field: string, problem: string) => AppError.validation(field, problem);

function readCertificate(field: string, bytes: Buffer): X509Certificate {
  try {
    return new X509Certificate(bytes);
  } catch {
    throw fail(field, 'is not an X.509 certificate (PEM or DER, as Apple sends .cer files)');
  }
}

function readKey(field: string, bytes: Buffer): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: bytes });
  } catch {
    throw fail(field, 'is not an unencrypted private key in PEM (export it from the .p12 with: openssl pkcs12 -in cert.p12 -nocerts -nodes -out key.pem)');
  }
  if (key.asymmetricKeyType !== 'rsa') throw fail(field, `is a ${key.asymmetricKeyType ?? 'unknown'} key; Pass Type ID certificates use RSA keys`);
  return key;
}

/** The value of one attribute (UID, OU, CN) of a certificate's subject, if present. */
function subjectField(cert: X509Certificate, name: string): string | undefined {
  for (const line of cert.subject.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0 && line.slice(0, i) === name) return line.slice(i + 1);
  }
  return undefined;
}

/**
 * Checks an organization's Apple certificates: the certificate and the key belong together,
 * the certificate is valid now and was issued by the WWDR certificate, and names the pass
 * type and team given (Apple's certificates carry them as UID and OU).
 */
export function checkAppleCertificates(
  input: { passTypeId: string; teamId: string; certificate: Buffer; key: Buffer; wwdr: Buffer },
  now: Date,
  names: { passTypeId: string; teamId: string; certificate: string; key: string; wwdr: string },
): AppleCertificates {
  if (!PASS_TYPE_ID.test(input.passTypeId)) throw fail(names.passTypeId, 'must be a Pass Type ID such as pass.com.example.loyalty (Certificates, Identifiers & Profiles > Identifiers)');
  if (!TEAM_ID.test(input.teamId)) throw fail(names.teamId, 'must be the 10-character Team ID of the Apple developer account, such as ABCDE12345');
  const cert = readCertificate(names.certificate, input.certificate);
  const wwdr = readCertificate(names.wwdr, input.wwdr);
  const key = readKey(names.key, input.key);
  if (!cert.checkPrivateKey(key)) throw fail(names.key, 'does not belong to the certificate (its public key differs); use the key the certificate request was made with');
  const expiresAt = new Date(cert.validTo);
  if (expiresAt.getTime() <= now.getTime()) throw fail(names.certificate, `expired on ${expiresAt.toISOString()}; create a new Pass Type ID certificate at Apple`);
  if (new Date(cert.validFrom).getTime() > now.getTime()) throw fail(names.certificate, `is valid only from ${new Date(cert.validFrom).toISOString()}`);
  if (!cert.checkIssued(wwdr) || !cert.verify(wwdr.publicKey)) {
    throw fail(names.wwdr, 'did not issue the certificate; download the Apple Worldwide Developer Relations intermediate that did (G4 for current certificates) from apple.com/certificateauthority');
  }
  const uid = subjectField(cert, 'UID');
  if (uid !== undefined && uid !== input.passTypeId) throw fail(names.passTypeId, `differs from the certificate's pass type (${uid})`);
  const ou = subjectField(cert, 'OU');
  if (uid !== undefined && ou !== undefined && ou !== input.teamId) throw fail(names.teamId, `differs from the certificate's team (${ou})`);
  const selfSigned = wwdr.issuer === wwdr.subject || subjectField(wwdr, 'O') !== 'Apple Inc.';
  return {
    certificatePem: cert.toString(),
    keyPem: key.export({ type: 'pkcs1', format: 'pem' }).toString(),
    wwdrPem: wwdr.toString(),
    expiresAt,
    selfSigned,
  };
}

export const DEV_MARK = 'NOT ACCEPTED BY IPHONES';

function forgeCertificate(subject: forge.pki.CertificateField[], issuer: forge.pki.CertificateField[], publicPem: string, signingKeyPem: string, ca: boolean, now: Date, days: number) {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + days * 86_400_000);
  cert.setSubject(subject);
  cert.setIssuer(issuer);
  cert.setExtensions(
    ca
      ? [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }]
      : [{ name: 'basicConstraints', cA: false }, { name: 'keyUsage', digitalSignature: true, critical: true }, { name: 'extKeyUsage', clientAuth: true }],
  );
  cert.sign(forge.pki.privateKeyFromPem(signingKeyPem), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

function rsaPair() {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), keyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString() };
}

/**
 * A development set: a self-signed stand-in for Apple's WWDR certificate and a Pass Type ID
 * certificate it issued, with its key. Passes signed with it verify with openssl but are
 * refused by iPhones, which trust only Apple's WWDR.
 */
export function makeDevCertificates(passTypeId: string, teamId: string, now: Date): { wwdrPem: string; certificatePem: string; keyPem: string } {
  const ca = rsaPair();
  const pass = rsaPair();
  const caName = [
    { name: 'commonName', value: `Patron development WWDR stand-in (${DEV_MARK})` },
    { name: 'organizationName', value: 'Patron development' },
  ];
  const wwdrPem = forgeCertificate(caName, caName, ca.publicPem, ca.keyPem, true, now, 3650);
  const passName = [
    { type: '0.9.2342.19200300.100.1.1', value: passTypeId },
    { name: 'commonName', value: `Pass Type ID: ${passTypeId} (${DEV_MARK})` },
    { shortName: 'OU', value: teamId },
    { name: 'organizationName', value: 'Patron development' },
  ];
  const certificatePem = forgeCertificate(passName, caName, pass.publicPem, ca.keyPem, false, now, 365);
  return { wwdrPem, certificatePem, keyPem: pass.keyPem };
}
