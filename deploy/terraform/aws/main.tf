# AWS for the AI API: a private VPC, KMS, an encrypted S3 bucket with lifecycle, a Secrets
# Manager secret with rotation, a least-privilege IAM role, CloudTrail with log validation.
# Offline here: parsed with python-hcl2 and policy-checked. For real:
#   terraform init && terraform fmt -check && terraform validate
#   terraform plan -out tfplan && terraform apply tfplan
terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }
  }
  backend "s3" {
    bucket         = "example-tf-state"
    key            = "ai-api/terraform.tfstate"
    region         = "eu-central-2"
    encrypt        = true
    dynamodb_table = "tf-locks"
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = { project = "ai-api", owner = "platform", data_class = "confidential" }
  }
}

resource "aws_kms_key" "data" {
  description             = "ai-api data key"
  enable_key_rotation     = true
  deletion_window_in_days = 30
}

resource "aws_s3_bucket" "documents" {
  bucket = "${var.prefix}-ai-documents"
}

resource "aws_s3_bucket_public_access_block" "documents" {
  bucket                  = aws_s3_bucket.documents.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "documents" {
  bucket = aws_s3_bucket.documents.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_versioning" "documents" {
  bucket = aws_s3_bucket.documents.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "documents" {
  bucket = aws_s3_bucket.documents.id
  rule {
    id     = "chat-logs-retention"
    status = "Enabled"
    filter {
      prefix = "chat-logs/"
    }
    transition {
      days          = 30
      storage_class = "GLACIER_IR"
    }
    expiration {
      days = var.chat_log_retention_days
    }
  }
}

resource "aws_secretsmanager_secret" "pseudonym_key" {
  name       = "ai-api/pseudonym-key"
  kms_key_id = aws_kms_key.data.arn
}

resource "aws_secretsmanager_secret_rotation" "pseudonym_key" {
  secret_id           = aws_secretsmanager_secret.pseudonym_key.id
  rotation_lambda_arn = var.rotation_lambda_arn
  rotation_rules {
    automatically_after_days = 30
  }
}

data "aws_iam_policy_document" "api" {
  statement {
    sid       = "ReadDocuments"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.documents.arn}/docs/*"]
  }
  statement {
    sid       = "ReadOwnSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.pseudonym_key.arn]
  }
  statement {
    sid       = "DecryptWithDataKey"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.data.arn]
  }
}

resource "aws_iam_policy" "api" {
  name   = "ai-api-least-privilege"
  policy = data.aws_iam_policy_document.api.json
}

resource "aws_cloudtrail" "audit" {
  name                       = "org-audit"
  s3_bucket_name             = var.audit_bucket
  is_multi_region_trail      = true
  enable_log_file_validation = true
  kms_key_id                 = aws_kms_key.data.arn
}

resource "aws_vpc" "main" {
  cidr_block           = "10.20.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true
}

resource "aws_subnet" "private" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.20.1.0/24"
  map_public_ip_on_launch = false
}

# S3 through a gateway endpoint: traffic to the bucket never leaves the AWS network.
resource "aws_vpc_endpoint" "s3" {
  vpc_id       = aws_vpc.main.id
  service_name = "com.amazonaws.${var.region}.s3"
}

resource "aws_flow_log" "vpc" {
  vpc_id               = aws_vpc.main.id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::${var.audit_bucket}/vpc-flow-logs/"
}
