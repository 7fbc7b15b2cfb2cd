"""Probe run by ``data "external"``: reports what the program receives and checks localaws through boto3."""

import json
import os
import sys

import boto3

query = json.load(sys.stdin)
print("probe-stderr-marker: stderr is not shown on success", file=sys.stderr)
s3 = boto3.client("s3")
s3.head_bucket(Bucket=query["bucket"])
role = boto3.client("iam").get_role(RoleName=query["role_name"])["Role"]
print(
    json.dumps(
        {
            "stdin": json.dumps(query, sort_keys=True),
            "cwd": os.getcwd(),
            "endpoint": os.environ.get("AWS_ENDPOINT_URL", ""),
            "bucket_seen": query["bucket"],
            "role_arn": role["Arn"],
        }
    )
)
