variable "region" {
  type        = string
  default     = "eu-central-2"
  description = "Zurich: data stays in Switzerland."
}

variable "prefix" {
  type        = string
  description = "A globally unique prefix for bucket names."
}

variable "chat_log_retention_days" {
  type        = number
  default     = 90
  description = "Storage limitation (GDPR Art. 5(1)(e)): chat logs are deleted after this."
}

variable "rotation_lambda_arn" {
  type        = string
  description = "The Lambda that rotates the pseudonymisation key."
}

variable "audit_bucket" {
  type        = string
  description = "A separate, object-locked bucket in the audit account."
}
