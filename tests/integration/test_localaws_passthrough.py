"""localaws: moto's services answer through our layer, as boto3 (and Terraform's AWS provider) call them."""

from __future__ import annotations

import json

from tests.localaws import testkit as kit


def test_services_terraform_uses_work_through_localaws(localaws):
    url = localaws.url
    s3 = kit.client(url, "s3")
    s3.create_bucket(Bucket="models-bucket")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{kit.ACCOUNT}:root"},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::models-bucket/*",
            }
        ],
    }
    s3.put_bucket_policy(Bucket="models-bucket", Policy=json.dumps(policy))
    assert json.loads(s3.get_bucket_policy(Bucket="models-bucket")["Policy"]) == policy
    s3.put_object(Bucket="models-bucket", Key="models/a.tar.gz", Body=b"model")
    assert s3.get_object(Bucket="models-bucket", Key="models/a.tar.gz")["Body"].read() == b"model"

    sns = kit.client(url, "sns")
    topic = sns.create_topic(Name="success")["TopicArn"]
    assert topic in [t["TopicArn"] for t in sns.list_topics()["Topics"]]

    iam = kit.client(url, "iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"Service": "sagemaker.amazonaws.com"},
            }
        ],
    }
    role = iam.create_role(RoleName="sm-exec", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    assert role["Arn"] == f"arn:aws:iam::{kit.ACCOUNT}:role/sm-exec"

    kms = kit.client(url, "kms")
    key = kms.create_key(Description="endpoint key")["KeyMetadata"]["KeyId"]
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["Enabled"] is True

    cloudwatch = kit.alarm(url, "ep-5xx")
    cloudwatch.set_alarm_state(AlarmName="ep-5xx", StateValue="ALARM", StateReason="test")
    (described,) = cloudwatch.describe_alarms(AlarmNames=["ep-5xx"])["MetricAlarms"]
    assert described["StateValue"] == "ALARM"

    logs = kit.client(url, "logs")
    logs.create_log_group(logGroupName="/aws/sagemaker/Endpoints/ep")
    assert logs.describe_log_groups()["logGroups"][0]["logGroupName"] == "/aws/sagemaker/Endpoints/ep"

    autoscaling = kit.client(url, "application-autoscaling")
    autoscaling.register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId="endpoint/x/variant/AllTraffic",
        ScalableDimension="sagemaker:variant:DesiredInstanceCount",
        MinCapacity=1,
        MaxCapacity=4,
    )
    (target,) = autoscaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]
    assert target["ResourceId"] == "endpoint/x/variant/AllTraffic"

    ecr = kit.client(url, "ecr")
    ecr.create_repository(repositoryName="whisper")
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 1,
                "digest": "sha256:" + "0" * 64,
            },
            "layers": [],
        }
    )
    ecr.put_image(repositoryName="whisper", imageManifest=manifest, imageTag="v1")
    (image,) = ecr.describe_images(repositoryName="whisper")["imageDetails"]
    assert image["imageTags"] == ["v1"]
    assert image["imageDigest"].startswith("sha256:")

    ssm = kit.client(url, "ssm")
    ssm.put_parameter(Name="/whisper/image", Value="whisper@sha256:abc", Type="String")
    assert ssm.get_parameter(Name="/whisper/image")["Parameter"]["Value"] == "whisper@sha256:abc"

    assert kit.client(url, "sts").get_caller_identity()["Account"] == kit.ACCOUNT


def test_sagemaker_calls_outside_hosting_go_to_moto(localaws):
    sm = kit.client(localaws.url, "sagemaker")
    assert sm.list_training_jobs()["TrainingJobSummaries"] == []
    calls = [c for c in localaws.calls() if c["operation"] == "ListTrainingJobs"]
    assert calls and calls[0]["status"] == 200


def test_tags_on_non_hosting_arns_go_to_moto(localaws):
    sm = kit.client(localaws.url, "sagemaker")
    arn = sm.create_notebook_instance(
        NotebookInstanceName="nb", InstanceType="ml.t2.medium", RoleArn=kit.ROLE_ARN
    )["NotebookInstanceArn"]
    sm.add_tags(ResourceArn=arn, Tags=[{"Key": "team", "Value": "speech"}])
    assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "speech"}]


def test_s3_lifecycle_answers_the_transition_default_minimum_object_size(localaws):
    # S3 API reference, PutBucketLifecycleConfiguration: TransitionDefaultMinimumObjectSize is a header,
    # all_storage_classes_128K when the request does not set it; Get answers what Put stored.
    s3 = kit.client(localaws.url, "s3")
    s3.create_bucket(Bucket="lifecycle-bucket")
    rules = {
        "Rules": [{"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 7}}]
    }
    put = s3.put_bucket_lifecycle_configuration(Bucket="lifecycle-bucket", LifecycleConfiguration=rules)
    assert put["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    put = s3.put_bucket_lifecycle_configuration(
        Bucket="lifecycle-bucket",
        LifecycleConfiguration=rules,
        TransitionDefaultMinimumObjectSize="varies_by_storage_class",
    )
    assert put["TransitionDefaultMinimumObjectSize"] == "varies_by_storage_class"
    got = s3.get_bucket_lifecycle_configuration(Bucket="lifecycle-bucket")
    assert got["TransitionDefaultMinimumObjectSize"] == "varies_by_storage_class"
    assert [rule["ID"] for rule in got["Rules"]] == ["expire"]
    # DELETE /bucket?lifecycle is DeleteBucketLifecycle (not the deprecated or multipart operations).
    s3.delete_bucket_lifecycle(Bucket="lifecycle-bucket")
    s3.put_object(Bucket="lifecycle-bucket", Key="k", Body=b"x")
    s3.delete_object(Bucket="lifecycle-bucket", Key="k")
    assert "Contents" not in s3.list_objects_v2(Bucket="lifecycle-bucket")
