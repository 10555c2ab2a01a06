# GCP, functional: the same AI API on Cloud Run with a CMEK-encrypted bucket and Secret Manager.
# For real: terraform init && terraform plan -var project=... -out tfplan && terraform apply tfplan
terraform {
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.0"
    }
  }
}

variable "project" {
  type = string
}

variable "region" {
  type    = string
  default = "europe-west6"
}

resource "google_kms_key_ring" "ai" {
  name     = "ai-api"
  location = var.region
  project  = var.project
}

resource "google_kms_crypto_key" "data" {
  name            = "data"
  key_ring        = google_kms_key_ring.ai.id
  rotation_period = "7776000s"
}

resource "google_storage_bucket" "documents" {
  name                        = "${var.project}-ai-documents"
  location                    = var.region
  project                     = var.project
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  encryption {
    default_kms_key_name = google_kms_crypto_key.data.id
  }
  lifecycle_rule {
    condition {
      age            = 90
      matches_prefix = ["chat-logs/"]
    }
    action {
      type = "Delete"
    }
  }
}

resource "google_secret_manager_secret" "pseudonym_key" {
  secret_id = "ai-api-pseudonym-key"
  project   = var.project
  replication {
    user_managed {
      replicas {
        location = var.region
      }
    }
  }
  rotation {
    rotation_period    = "2592000s"
    next_rotation_time = "2030-01-01T00:00:00Z"
  }
  topics {
    name = "projects/${var.project}/topics/secret-rotation"
  }
}

resource "google_service_account" "api" {
  account_id = "ai-api"
  project    = var.project
}

resource "google_cloud_run_v2_service" "api" {
  name     = "ai-api"
  location = var.region
  project  = var.project
  ingress  = "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"
  template {
    service_account = google_service_account.api.email
    scaling {
      min_instance_count = 1
      max_instance_count = 10
    }
    containers {
      image = "europe-west6-docker.pkg.dev/${var.project}/ai/compliance-pack:0.1.0"
      env {
        name = "COMPLIANCE_PACK_PSEUDONYM_KEY"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.pseudonym_key.secret_id
            version = "latest"
          }
        }
      }
    }
  }
}
