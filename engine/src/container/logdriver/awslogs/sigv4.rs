//! AWS Signature Version 4 for the one kind of request the driver sends: a JSON POST to
//! `/` with no query string. Headers are signed as the AWS SDKs sign them, so any
//! endpoint that checks signatures (AWS itself, Localstack, moto) accepts them.

use ring::hmac;
use sha2::{Digest, Sha256};

use super::credentials::Credentials;

/// What is signed: the request's host (with its port when not the scheme's default),
/// its `X-Amz-Target`, its body, and when.
pub struct Request<'a> {
    pub host: &'a str,
    pub target: &'a str,
    pub content_type: &'a str,
    pub body: &'a [u8],
    /// `YYYYMMDDTHHMMSSZ`.
    pub amz_date: &'a str,
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data.as_bytes())
        .as_ref()
        .to_vec()
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The key for one day, region and service (AWS's key derivation).
pub fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> Vec<u8> {
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), date);
    let k_region = hmac(&k_date, region);
    let k_service = hmac(&k_region, service);
    hmac(&k_service, "aws4_request")
}

/// The headers to add to the request: `X-Amz-Date`, the session token if any, and
/// `Authorization`.
pub fn sign(
    req: &Request,
    creds: &Credentials,
    region: &str,
    service: &str,
) -> Vec<(&'static str, String)> {
    let date = &req.amz_date[..8.min(req.amz_date.len())];
    // Lower-case names, sorted, as the canonical request lists them.
    let mut headers: Vec<(&str, &str)> = vec![
        ("content-type", req.content_type),
        ("host", req.host),
        ("x-amz-date", req.amz_date),
        ("x-amz-target", req.target),
    ];
    if let Some(t) = &creds.session_token {
        headers.push(("x-amz-security-token", t));
    }
    headers.sort();
    let canonical_headers: String = headers
        .iter()
        .map(|(k, v)| format!("{k}:{}\n", v.trim()))
        .collect();
    let signed_headers = headers
        .iter()
        .map(|(k, _)| *k)
        .collect::<Vec<_>>()
        .join(";");
    let canonical_request = format!(
        "POST\n/\n\n{canonical_headers}\n{signed_headers}\n{}",
        sha256_hex(req.body)
    );
    let scope = format!("{date}/{region}/{service}/aws4_request");
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{}\n{scope}\n{}",
        req.amz_date,
        sha256_hex(canonical_request.as_bytes())
    );
    let key = signing_key(&creds.secret_access_key, date, region, service);
    let signature = hex::encode(hmac(&key, &string_to_sign));
    let mut out = vec![
        ("X-Amz-Date", req.amz_date.to_string()),
        (
            "Authorization",
            format!(
                "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
                creds.access_key_id
            ),
        ),
    ];
    if let Some(t) = &creds.session_token {
        out.push(("X-Amz-Security-Token", t.clone()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signing_key_is_awss_documented_one() {
        // AWS's documentation example for deriving a signing key.
        let k = signing_key(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20120215",
            "us-east-1",
            "iam",
        );
        assert_eq!(
            hex::encode(k),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
    }

    /// One PutLogEvents request, signed with `creds`: its Authorization, and all headers.
    fn signed(creds: &Credentials) -> (String, Vec<(&'static str, String)>) {
        let body = br#"{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1,"message":"hi"}]}"#;
        let h = sign(
            &Request {
                host: "127.0.0.1:4566",
                target: "Logs_20140328.PutLogEvents",
                content_type: "application/x-amz-json-1.1",
                body,
                amz_date: "20261207T173646Z",
            },
            creds,
            "us-east-1",
            "logs",
        );
        let auth = h
            .iter()
            .find(|(k, _)| *k == "Authorization")
            .unwrap()
            .1
            .clone();
        (auth, h)
    }

    #[test]
    fn a_put_log_events_request_is_signed_as_botocore_signs_it() {
        // Reference values from botocore's SigV4Auth for the same request and time.
        let creds = Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
        };
        assert_eq!(
            signed(&creds).0,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261207/us-east-1/logs/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date;x-amz-target, \
             Signature=95bd78f4380c0e77459c1b464d0920ae1978d8cc0684779583c615be50d1b34e"
        );
        // With a session token, it is signed and sent.
        let temp = Credentials {
            session_token: Some("SESSIONTOKEN".into()),
            ..creds
        };
        let (auth, headers) = signed(&temp);
        assert!(auth.ends_with(
            "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, \
             Signature=d0b29dacba36ea95d14e35c2009a3ed1f37f618353de6fed011b40d8ae5c9bfd"
        ));
        assert!(headers
            .iter()
            .any(|(k, v)| *k == "X-Amz-Security-Token" && v == "SESSIONTOKEN"));
    }
}
