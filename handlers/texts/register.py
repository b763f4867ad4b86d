"""The processing register: what each feature's personal data is for, on what basis, who gets it.

Shown to the data-protection officer (`motcua privacy register`) and to a citizen in the
file of their own data (handlers/privacy_export.py); one triple per registration.
"""

# question_log
REG_QUESTION_LOG_PURPOSE = "Cải thiện câu trả lời: xem câu hỏi nào chưa trả lời được"
REG_QUESTION_LOG_BASIS = "Nhiệm vụ của cơ quan nhà nước (hướng dẫn thủ tục hành chính)"
REG_QUESTION_LOG_RECIPIENTS = "Cán bộ quản trị nội dung của xã/phường"

# messages
REG_MESSAGES_PURPOSE = "Gửi thông báo, trả lời phản ánh và tin nhắn của cán bộ tới người dân"
REG_MESSAGES_BASIS = "Nhiệm vụ của cơ quan nhà nước; thông báo theo chủ đề chỉ khi người dân đăng ký"
REG_MESSAGES_RECIPIENTS = "Nền tảng nhắn tin (Telegram, Zalo) để chuyển tin"

# complaints
REG_COMPLAINTS_PURPOSE = "Tiếp nhận, chuyển xử lý và trả lời phản ánh, kiến nghị"
REG_COMPLAINTS_BASIS = (
    "Nhiệm vụ của cơ quan nhà nước về tiếp nhận, xử lý phản ánh, kiến nghị (không cần sự đồng ý)"
)
REG_COMPLAINTS_RECIPIENTS = (
    "Cán bộ được phân công của UBND xã/phường; hệ thống của tỉnh được cấp khóa Open311 "
    "có quyền xem dữ liệu cá nhân (nếu xã/phường cấp)"
)

# walkthroughs
REG_WALKTHROUGHS_PURPOSE = "Hướng dẫn từng bước, nhớ bước đang làm; gọi lại khi người dân cần giúp"
REG_WALKTHROUGHS_BASIS = "Nhiệm vụ của cơ quan nhà nước; số điện thoại gọi lại chỉ khi người dân đồng ý"
REG_WALKTHROUGHS_RECIPIENTS = "Cán bộ trực gọi lại của xã/phường"

# handoffs
REG_HANDOFFS_PURPOSE = "Kết nối người dân trò chuyện trực tiếp với cán bộ"
REG_HANDOFFS_BASIS = "Nhiệm vụ của cơ quan nhà nước (tiếp công dân, giải đáp)"
REG_HANDOFFS_RECIPIENTS = "Cán bộ trực của xã/phường"

# account
REG_ACCOUNT_PURPOSE = "Nhận diện người dùng trên kênh nhắn tin để tiếp tục cuộc trò chuyện"
REG_ACCOUNT_BASIS = "Thực hiện nhiệm vụ của cơ quan nhà nước (tiếp nhận, trả lời người dân)"
REG_ACCOUNT_RECIPIENTS = "Không chuyển cho bên nào"

# audit
REG_AUDIT_PURPOSE = "Ghi lại thao tác của cán bộ để kiểm tra, giải trình"
REG_AUDIT_BASIS = "Nghĩa vụ bảo đảm an toàn, kiểm tra việc xử lý dữ liệu của bên kiểm soát"
REG_AUDIT_RECIPIENTS = "Người phụ trách bảo vệ dữ liệu cá nhân của xã/phường"

# data_requests
REG_DATA_REQUESTS_PURPOSE = "Ghi nhận, theo dõi thời hạn giải quyết yêu cầu của chủ thể dữ liệu"
REG_DATA_REQUESTS_BASIS = "Nghĩa vụ của bên kiểm soát dữ liệu (Luật 91/2025, Nghị định 356/2025)"
REG_DATA_REQUESTS_RECIPIENTS = "Người phụ trách bảo vệ dữ liệu cá nhân của xã/phường"

# ratings
REG_RATINGS_PURPOSE = "Đo mức độ hài lòng với câu trả lời, việc xử lý phản ánh và trò chuyện với cán bộ"
REG_RATINGS_BASIS = "Nhiệm vụ của cơ quan nhà nước (đánh giá sự hài lòng của người dân)"
REG_RATINGS_RECIPIENTS = "Lãnh đạo, cán bộ của xã/phường"

# subscriptions
REG_SUBSCRIPTIONS_PURPOSE = "Gửi thông báo của xã/phường theo chủ đề, khu vực người dân đã chọn"
REG_SUBSCRIPTIONS_BASIS = "Sự đồng ý của người dân (đăng ký, rút lại bằng /huy)"
REG_SUBSCRIPTIONS_RECIPIENTS = "Không chuyển cho bên nào"
