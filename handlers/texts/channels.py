"""Sentences only a channel adapter says (Zalo, Telegram)."""

from __future__ import annotations

# ---- zalo channels
ZALO_CHOOSE = "Xin mời anh/chị chọn một mục dưới đây."
ZALO_INFO_TITLE = "Xin phép anh/chị chia sẻ họ tên và số điện thoại"
ZALO_INFO_SUBTITLE = "Chỉ dùng để cán bộ liên hệ lại về phản ánh của anh/chị"
ZALO_UNSUPPORTED = (
    "Xin lỗi anh/chị, tôi chưa xem được nội dung tin nhắn vừa rồi. "
    "Anh/chị vui lòng gõ câu hỏi bằng chữ, hoặc chọn một mục dưới đây."
)
ZALO_REAUTH_ALERT = (
    "Cảnh báo cho quản trị viên: Zalo đã từ chối quyền gửi tin của trợ lý trên Official Account, "
    "nên trợ lý tạm thời không trả lời được người dân trên Zalo OA. "
    "Xin anh/chị cấp lại quyền: chạy lệnh «motcua zalo auth-url» rồi «motcua zalo authorize» "
    "(xem hướng dẫn trong docs/zalo.md)."
)

# ---- telegram channel
TG_SHARE_PHONE = "📱 Gửi số điện thoại của tôi"
TG_CHOOSE = "Xin mời anh/chị chọn:"
# The bot's command menu in Telegram (setMyCommands) uses each command's own description.

# ---- channels that send no files (Zalo, console): a document is written out
DOCUMENT_AS_TEXT = "Kênh này chưa gửi được tệp, nên tôi gửi nội dung tệp {filename} dưới dạng tin nhắn:"
