"""Notifications to where on-call engineers work: DingTalk, WeCom, Feishu, SMS, e-mail, webhooks."""
