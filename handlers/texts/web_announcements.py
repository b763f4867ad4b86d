"""Announcements in the staff console, and the photo limits the announcement service checks."""

# --- the service (handlers/broadcast_core.py)
WA_PHOTO_EMPTY = "Tệp ảnh trống, anh/chị vui lòng chọn lại ảnh."
WA_PHOTO_TOO_BIG = "Ảnh lớn quá {mb} MB (giới hạn của Zalo), anh/chị vui lòng chọn ảnh nhỏ hơn."
WA_PHOTO_TYPE = "Chỉ gửi được ảnh JPG hoặc PNG."
