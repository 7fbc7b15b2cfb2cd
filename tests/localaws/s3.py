"""S3 behaviour moto lacks that the AWS provider waits for.

Lifecycle configurations carry a bucket-level setting in a header, not in the XML body:
``x-amz-transition-default-minimum-object-size`` (``all_storage_classes_128K`` or
``varies_by_storage_class``). PutBucketLifecycleConfiguration takes it, and S3 answers it on Put and on
GetBucketLifecycleConfiguration; when a request does not set it, S3 applies ``all_storage_classes_128K``
(the default since September 2024). Source: S3 API reference, PutBucketLifecycleConfiguration and
GetBucketLifecycleConfiguration ("TransitionDefaultMinimumObjectSize"). hashicorp/aws 5.x sends the header
and reads it back into ``transition_default_minimum_object_size``. (Its ~55 s wait after a lifecycle
create is its own consistency check, 10 equal reads 5 s apart, and happens against real S3 too.)
"""

from __future__ import annotations

import threading

HEADER = "x-amz-transition-default-minimum-object-size"
ENVIRON_KEY = "HTTP_X_AMZ_TRANSITION_DEFAULT_MINIMUM_OBJECT_SIZE"
DEFAULT = "all_storage_classes_128K"
_LIFECYCLE_OPERATIONS = ("PutBucketLifecycleConfiguration", "GetBucketLifecycleConfiguration")


class LifecycleSettings:
    """The transition default minimum object size of each bucket with a lifecycle configuration."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_bucket: dict[str, str] = {}

    def reset(self) -> None:
        with self._lock:
            self._by_bucket.clear()

    def response_headers(
        self, operation: str, bucket: str, environ: dict, status: int
    ) -> list[tuple[str, str]]:
        """Headers to add to moto's answer of ``operation`` on ``bucket`` (answered with ``status``)."""
        if not bucket or status != 200:
            if operation in ("DeleteBucketLifecycle", "DeleteBucket") and status in (200, 204):
                with self._lock:
                    self._by_bucket.pop(bucket, None)
            return []
        if operation == "PutBucketLifecycleConfiguration":
            value = environ.get(ENVIRON_KEY) or DEFAULT
            with self._lock:
                self._by_bucket[bucket] = value
            return [(HEADER, value)]
        if operation == "GetBucketLifecycleConfiguration":
            with self._lock:
                value = self._by_bucket.get(bucket, DEFAULT)
            return [(HEADER, value)]
        if operation in ("DeleteBucketLifecycle", "DeleteBucket"):
            with self._lock:
                self._by_bucket.pop(bucket, None)
        return []


# Default bucket encryption. Since 5 January 2023 every bucket has SSE-S3 as its base level of encryption:
# GetBucketEncryption on a bucket with no configuration of its own answers AES256 with BucketKeyEnabled
# false, and DeleteBucketEncryption returns the bucket to that default. Source: S3 User Guide, "Default
# encryption FAQ" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html) and
# API_DeleteBucketEncryption ("resets the default encryption for the bucket as server-side encryption with
# Amazon S3 managed keys (SSE-S3)"). moto answers ServerSideEncryptionConfigurationNotFoundError instead.
NO_ENCRYPTION_CODE = b"ServerSideEncryptionConfigurationNotFoundError"
DEFAULT_ENCRYPTION_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
    b"<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>"
    b"</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule>"
    b"</ServerSideEncryptionConfiguration>"
)


def default_encryption(status: str, body: bytes) -> tuple[str, list[tuple[str, str]], bytes] | None:
    """S3's answer to GetBucketEncryption when moto answered "no configuration" (else None)."""
    if not status.startswith("404") or NO_ENCRYPTION_CODE not in body:
        return None
    headers = [("Content-Type", "application/xml"), ("Content-Length", str(len(DEFAULT_ENCRYPTION_XML)))]
    return "200 OK", headers, DEFAULT_ENCRYPTION_XML
